package io.storageengine.pageservice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatermarkRegistryTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000aa");
    private static final TimelineKey U = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000bb");

    /** Waits like the read path does: re-check after every change until the mark reaches {@code target}. */
    private static boolean awaitMark(PartitionMarks pm, long target, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long v = pm.version();
            PartitionMarks.Mark m = pm.mark(T);
            if (m != null && m.lsn() >= target) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            pm.awaitChange(v, remaining);
        }
    }

    @Test
    void noWaiterMissesAnAdvanceWhenManyWaitWhileTheMarkClimbs() throws Exception {
        WatermarkRegistry registry = new WatermarkRegistry();
        registry.activate(3, Map.of(), null);
        PartitionMarks pm = registry.partition(3);
        List<Future<Boolean>> waiters = new ArrayList<>();
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            Random r = new Random(1);
            for (int i = 0; i < 500; i++) {
                long target = 1 + r.nextInt(20_000);
                waiters.add(vts.submit(() -> awaitMark(pm, target, TimeUnit.SECONDS.toNanos(30))));
            }
            for (long lsn = 1; lsn <= 20_000; lsn++) {
                registry.advance(3, T, lsn);
            }
            for (Future<Boolean> w : waiters) {
                assertThat(w.get(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(pm.mark(T).lsn()).isEqualTo(20_000);
    }

    @Test
    void marksOnlyRiseAndRolesFollowTaskAndStandbyLifecycles() throws Exception {
        WatermarkRegistry registry = new WatermarkRegistry();
        registry.activate(1, Map.of(T, 100L), null);
        assertThat(registry.advance(1, T, 90)).isFalse();
        assertThat(registry.advance(1, T, 150)).isTrue();
        assertThat(registry.markSeen(1, U)).isTrue();
        assertThat(registry.partition(1).mark(U).lsn()).isZero();
        assertThat(registry.activePartitions()).containsExactly(1);

        registry.standby(1, Map.of(T, 999L)); // ignored: active here
        assertThat(registry.partition(1).mark(T).lsn()).isEqualTo(150);

        registry.standby(2, Map.of(T, 80L));
        assertThat(registry.standbyPartitions()).containsExactly(2);
        assertThat(registry.knows(T)).isTrue();

        long before = registry.partition(1).version();
        registry.release(1);
        assertThat(registry.partition(1).role()).isNull();
        assertThat(registry.partition(1).version()).as("waiters are woken to notice").isGreaterThan(before);
        registry.releaseStandby(2);
        assertThat(registry.knows(T)).isFalse();

        registry.activate(1, Map.of(T, 150L), null); // e.g. after a restart: rebuilt from the store
        assertThat(registry.partition(1).mark(T).lsn()).isEqualTo(150);
        assertThat(registry.partition(1).awaitChange(registry.partition(1).version(), 1_000_000)).isFalse();
    }
}
