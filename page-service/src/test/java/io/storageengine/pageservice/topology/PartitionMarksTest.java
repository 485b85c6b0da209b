package io.storageengine.pageservice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One partition's watermarks: marks only rise (LSNs compared unsigned, so LSNs at or above 2^63
 * are the highest), every change bumps the version and wakes waiters, and the role transitions keep
 * or drop the marks as the topology's restore callbacks need.
 */
class PartitionMarksTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000aa");
    private static final TimelineKey U = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000bb");
    /** An LSN whose long is negative: unsigned, above every LSN below 2^63. */
    private static final long HIGH = 0x8000_0000_0000_0010L;

    @Test
    void advanceOnlyRaisesTheMarkAndComparesUnsigned() {
        PartitionMarks pm = new PartitionMarks(2);
        assertThat(pm.advance(T, 100)).isTrue();
        assertThat(pm.advance(T, 100)).as("equal").isFalse();
        assertThat(pm.advance(T, 99)).as("lower").isFalse();
        assertThat(pm.mark(T).lsn()).isEqualTo(100);
        assertThat(pm.advance(T, HIGH)).as("above 2^63 is higher, not negative").isTrue();
        assertThat(pm.advance(T, Long.MAX_VALUE)).as("2^63-1 is below it").isFalse();
        assertThat(pm.mark(T).lsn()).isEqualTo(HIGH);
        assertThat(pm.mark(U)).as("never seen").isNull();
        assertThat(pm.partitionId()).isEqualTo(2);
    }

    @Test
    void maxAppliedIsTheUnsignedMaximumOverTimelines() {
        PartitionMarks pm = new PartitionMarks(0);
        assertThat(pm.maxApplied()).isZero();
        pm.advance(T, 500);
        pm.advance(U, HIGH);
        assertThat(pm.maxApplied()).isEqualTo(HIGH);
        assertThat(pm.snapshot()).isEqualTo(Map.of(T, 500L, U, HIGH));
    }

    @Test
    void everyChangeBumpsTheVersionAndNoChangeDoesNot() {
        PartitionMarks pm = new PartitionMarks(0);
        long v0 = pm.version();
        pm.advance(T, 10);
        long v1 = pm.version();
        assertThat(v1).isGreaterThan(v0);
        pm.advance(T, 5);
        assertThat(pm.version()).as("a stale advance").isEqualTo(v1);
        assertThat(pm.markSeen(U)).isTrue();
        assertThat(pm.mark(U).lsn()).isZero();
        long v2 = pm.version();
        assertThat(v2).isGreaterThan(v1);
        assertThat(pm.markSeen(U)).as("already seen").isFalse();
        assertThat(pm.markSeen(T)).isFalse();
        assertThat(pm.version()).isEqualTo(v2);
    }

    @Test
    void awaitChangeReturnsOnAChangeAndTimesOutWithoutOne() throws Exception {
        PartitionMarks pm = new PartitionMarks(0);
        long v = pm.version();
        assertThat(pm.awaitChange(v, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pm.advance(T, 7);
        });
        assertThat(pm.awaitChange(v, TimeUnit.SECONDS.toNanos(10))).isTrue();
        writer.join();
        assertThat(pm.awaitChange(v, 0)).as("already changed: no wait").isTrue();
    }

    @Test
    void resetReplacesMarksAndRole() {
        PartitionMarks pm = new PartitionMarks(0);
        pm.advance(T, 10);
        pm.reset(PartitionMarks.Role.ACTIVE, Map.of(U, 20L), null);
        assertThat(pm.role()).isEqualTo(PartitionMarks.Role.ACTIVE);
        assertThat(pm.snapshot()).isEqualTo(Map.of(U, 20L));
    }

    @Test
    void standbyRestoreRaisesMarksButLeavesAnActivePartitionAlone() {
        PartitionMarks pm = new PartitionMarks(0);
        pm.resetUnlessActive(Map.of(T, 10L));
        assertThat(pm.role()).isEqualTo(PartitionMarks.Role.STANDBY);
        assertThat(pm.snapshot()).isEqualTo(Map.of(T, 10L));
        long v = pm.version();
        pm.resetUnlessActive(Map.of(T, 5L));
        assertThat(pm.mark(T).lsn()).as("a standby's mark never goes back").isEqualTo(10);
        assertThat(pm.version()).as("nothing changed").isEqualTo(v);
        pm.resetUnlessActive(Map.of(T, HIGH, U, 3L));
        assertThat(pm.snapshot()).isEqualTo(Map.of(T, HIGH, U, 3L));

        pm.reset(PartitionMarks.Role.ACTIVE, Map.of(T, 1L), null);
        pm.resetUnlessActive(Map.of(T, 50L));
        assertThat(pm.role()).isEqualTo(PartitionMarks.Role.ACTIVE);
        assertThat(pm.mark(T).lsn()).isEqualTo(1);
    }

    @Test
    void clearIfDropsOnlyTheExpectedRole() {
        PartitionMarks pm = new PartitionMarks(0);
        @SuppressWarnings("unchecked")
        org.apache.kafka.streams.state.ReadOnlyKeyValueStore<byte[], byte[]> store =
                (org.apache.kafka.streams.state.ReadOnlyKeyValueStore<byte[], byte[]>) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {org.apache.kafka.streams.state.ReadOnlyKeyValueStore.class},
                        (proxy, method, args) -> {
                            throw new UnsupportedOperationException();
                        });
        pm.reset(PartitionMarks.Role.ACTIVE, Map.of(T, 10L), store);
        assertThat(pm.activeStore()).isSameAs(store);
        pm.clearIf(PartitionMarks.Role.STANDBY);
        assertThat(pm.role()).isEqualTo(PartitionMarks.Role.ACTIVE);
        assertThat(pm.mark(T)).isNotNull();
        assertThat(pm.activeStore()).as("kept while active").isSameAs(store);
        pm.clearIf(PartitionMarks.Role.ACTIVE);
        assertThat(pm.role()).isNull();
        assertThat(pm.snapshot()).isEmpty();
        assertThat(pm.activeStore()).as("gone with the active role").isNull();
        pm.reset(PartitionMarks.Role.STANDBY, Map.of(), store);
        assertThat(pm.activeStore()).as("a standby holds no active store").isNull();
    }
}
