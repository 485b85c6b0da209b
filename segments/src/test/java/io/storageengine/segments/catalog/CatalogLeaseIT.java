package io.storageengine.segments.catalog;

import static io.storageengine.segments.catalog.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogLeaseIT {
    static Catalog catalog;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("leases"));
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void aHeldLeaseIsRefusedToOthersAndRenewedForItsOwner() {
        Lease a = catalog.acquireLease(1, "worker-a", TTL).orElseThrow();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(catalog.acquireLease(1, "worker-b", TTL)).isEmpty();
        Lease again = catalog.acquireLease(1, "worker-a", TTL).orElseThrow();
        assertThat(again.epoch()).isEqualTo(1); // a retried acquire by the holder keeps the epoch
        Lease renewed = catalog.renewLease(a, Duration.ofMinutes(5));
        assertThat(renewed.expiresAt()).isAfter(a.expiresAt());
        assertThat(catalog.currentLease(1)).hasValueSatisfying(l -> assertThat(l.owner()).isEqualTo("worker-a"));
    }

    @Test
    void aTakeoverAfterExpiryOrReleaseFencesTheOldHolder() throws InterruptedException {
        Lease a = catalog.acquireLease(2, "worker-a", Duration.ofMillis(50)).orElseThrow();
        Thread.sleep(100);
        Lease b = catalog.acquireLease(2, "worker-b", TTL).orElseThrow();
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThatThrownBy(() -> catalog.renewLease(a, TTL)).isInstanceOf(StaleLeaseException.class)
                .hasMessageContaining("worker-b");
        assertThat(catalog.releaseLease(a)).isFalse();
        assertThat(catalog.releaseLease(b)).isTrue();
        Lease c = catalog.acquireLease(2, "worker-c", TTL).orElseThrow();
        assertThat(c.epoch()).isEqualTo(b.epoch() + 1);
    }

    @Test
    void anExpiredButUntakenLeaseCanStillBeRenewed() throws InterruptedException {
        Lease a = catalog.acquireLease(3, "worker-a", Duration.ofMillis(20)).orElseThrow();
        Thread.sleep(50);
        assertThat(catalog.renewLease(a, TTL).epoch()).isEqualTo(a.epoch());
    }
}
