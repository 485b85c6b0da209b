package io.storageengine.catalog.connection.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link ReadRouter}'s choice of replicas and {@link JdbcUrls}' failover URL. */
class RoutingTest {
    final AtomicLong now = new AtomicLong();

    static Pool replica(String name) {
        Pool p = new Pool(name, true, name + ":5432", new FakeDataSource(), Pool.breaker(name, 1, Duration.ofMinutes(1)),
                PoolStats.standard());
        p.lag(0, 0);
        return p;
    }

    @Test
    void roundRobinOverUsableReplicasSkippingLaggingAndOpenOnes() {
        Pool a = replica("a"), b = replica("b"), c = replica("c");
        ReadRouter r = new ReadRouter(List.of(a, b, c), Duration.ofSeconds(5), Duration.ZERO, now::get);
        assertThat(r.candidates().getFirst()).isSameAs(a);
        assertThat(r.candidates().getFirst()).isSameAs(b);
        assertThat(r.candidates().getFirst()).isSameAs(c);
        b.lag(6_000, 1);
        c.breaker().open();
        assertThat(r.candidates()).containsExactly(a);
        assertThat(r.candidates()).containsExactly(a);
        a.lag(-1, -1);
        assertThat(r.candidates()).isEmpty();
    }

    @Test
    void aThreadKeepsItsReplicaWhileItStaysUsable() {
        Pool a = replica("a"), b = replica("b");
        ReadRouter r = new ReadRouter(List.of(a, b), Duration.ofSeconds(5), Duration.ofSeconds(5), now::get);
        Pool first = r.candidates().getFirst();
        r.used(first);
        for (int i = 0; i < 5; i++) {
            assertThat(r.candidates().getFirst()).isSameAs(first);
            r.used(first);
        }
        assertThat(r.pinned()).isSameAs(first);
        first.lag(10_000, 1);
        assertThat(r.pinned()).as("a lagging pin is no pin").isNull();
        assertThat(r.candidates()).containsExactly(first == a ? b : a);
    }

    @Test
    void primaryUrlListsEveryServerAndAsksForThePrimary() {
        String url = JdbcUrls.primaryUrl("jdbc:postgresql://10.0.0.1:5432/catalog?sslmode=disable",
                List.of("jdbc:postgresql://10.0.0.2:5433/catalog", "jdbc:postgresql://10.0.0.3/catalog"));
        assertThat(url).isEqualTo("jdbc:postgresql://10.0.0.1:5432,10.0.0.2:5433,10.0.0.3:5432/catalog"
                + "?sslmode=disable&targetServerType=primary&hostRecheckSeconds=2");
        assertThat(JdbcUrls.primaryUrl("jdbc:postgresql://h:1/db", List.of()))
                .isEqualTo("jdbc:postgresql://h:1/db?targetServerType=primary&hostRecheckSeconds=2");
    }
}
