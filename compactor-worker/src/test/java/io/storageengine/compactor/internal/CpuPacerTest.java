package io.storageengine.compactor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuPacer} through a job's checkpoints ({@link Cancellation#check}): a paced job that
 * burns CPU is made to sleep, an unpaced or "behind" job never is, and a cancelled job stops
 * sleeping. Asserts behaviour (slept or not), not timings.
 */
class CpuPacerTest {

    private static long burn(Cancellation cancel, long cpuNanos) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        long x = 0;
        while (mx.getCurrentThreadCpuTime() - start < cpuNanos) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
            cancel.check();
        }
        return x;
    }

    @Test
    void aPacedJobSleepsAtItsCheckpoints() {
        CpuPacer pacer = new CpuPacer(0.25);
        pacer.engage(true);
        burn(new Cancellation(pacer), 100_000_000L);
        assertThat(pacer.pausedSeconds()).isGreaterThan(0);
        assertThat(pacer.pacedJobs()).isEqualTo(1);
    }

    @Test
    void aJobOfAPartitionBehindOrAFullShareIsNeverPaced() {
        CpuPacer behind = new CpuPacer(0.25);
        behind.engage(false);
        burn(new Cancellation(behind), 50_000_000L);
        assertThat(behind.pausedSeconds()).isZero();
        assertThat(behind.pacedJobs()).isZero();

        CpuPacer full = CpuPacer.off();
        full.engage(true);
        burn(new Cancellation(full), 50_000_000L);
        assertThat(full.pausedSeconds()).isZero();
        assertThat(full.enabled()).isFalse();
    }

    @Test
    void aCancelledJobStopsAtItsNextCheckpoint() {
        CpuPacer pacer = new CpuPacer(0.01); // would sleep for long stretches
        pacer.engage(true);
        Cancellation cancel = new Cancellation(pacer);
        Thread canceller = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cancel.cancel("revoked");
        });
        assertThatThrownBy(() -> burn(cancel, 10_000_000_000L)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("revoked");
        assertThat(pacer.pausedSeconds()).isGreaterThan(0);
    }

    @Test
    void rejectsANonPositiveShare() {
        assertThatThrownBy(() -> new CpuPacer(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
