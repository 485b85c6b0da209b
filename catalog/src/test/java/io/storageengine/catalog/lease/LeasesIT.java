package io.storageengine.catalog.lease;

import static io.storageengine.catalog.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.Fixtures;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Leases}: exclusive ownership, renewal, takeover after expiry or release, epochs. */
class LeasesIT {
    static Catalog catalog;
    static Leases leases;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("leases"));
        leases = catalog.leases();
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void aHeldLeaseIsRefusedToOthersAndRenewedForItsOwner() {
        Lease a = leases.acquire(1, "worker-a", TTL).orElseThrow();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(leases.acquire(1, "worker-b", TTL)).isEmpty();
        Lease again = leases.acquire(1, "worker-a", TTL).orElseThrow();
        assertThat(again.epoch()).isEqualTo(1); // a retried acquire by the holder keeps the epoch
        Lease renewed = leases.renew(a, Duration.ofMinutes(5));
        assertThat(renewed.expiresAt()).isAfter(a.expiresAt());
        assertThat(leases.current(1)).hasValueSatisfying(l -> assertThat(l.owner()).isEqualTo("worker-a"));
    }

    @Test
    void aTakeoverAfterExpiryOrReleaseFencesTheOldHolder() throws InterruptedException {
        Lease a = leases.acquire(2, "worker-a", Duration.ofMillis(50)).orElseThrow();
        Thread.sleep(100);
        Lease b = leases.acquire(2, "worker-b", TTL).orElseThrow();
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThatThrownBy(() -> leases.renew(a, TTL)).isInstanceOf(StaleLeaseException.class)
                .hasMessageContaining("worker-b");
        assertThat(leases.release(a)).isFalse();
        assertThat(leases.release(b)).isTrue();
        Lease c = leases.acquire(2, "worker-c", TTL).orElseThrow();
        assertThat(c.epoch()).isEqualTo(b.epoch() + 1);
    }

    @Test
    void anExpiredButUntakenLeaseCanStillBeRenewed() throws InterruptedException {
        Lease a = leases.acquire(3, "worker-a", Duration.ofMillis(20)).orElseThrow();
        Thread.sleep(50);
        assertThat(leases.renew(a, TTL).epoch()).isEqualTo(a.epoch());
    }
}
