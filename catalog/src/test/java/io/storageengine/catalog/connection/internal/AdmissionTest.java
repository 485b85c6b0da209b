package io.storageengine.catalog.connection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failsafe.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Admission} in front of a {@link Pool}: bounded, first come first served, refusals that are load, not failure. */
class AdmissionTest {

    static Pool pool(Admission admission) {
        return new Pool("p", true, "fake:1", new FakeDataSource(), Pool.breaker("p", 1, Duration.ofMinutes(1)),
                PoolStats.standard(), admission);
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(end);
            Thread.sleep(1);
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneLessPermitThanConnectionsAndAtLeastOne() {
        assertThat(Admission.callerPermits(16)).isEqualTo(15);
        assertThat(Admission.callerPermits(2)).isEqualTo(1);
        assertThat(Admission.callerPermits(1)).isEqualTo(1);
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        Admission a = new Admission(1, 100, Duration.ofSeconds(30));
        a.enter("p");
        List<Integer> order = new CopyOnWriteArrayList<>();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 5; i++) {
                int k = i;
                vt.submit(() -> {
                    a.enter("p");
                    order.add(k);
                    a.exit();
                    return null;
                });
                waitFor(() -> a.waiting() == k + 1); // queued one after the other
            }
            assertThat(a.inUse()).isEqualTo(1);
            a.exit();
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        assertThat(a.waiting()).isZero();
        assertThat(a.inUse()).isZero();
    }

    @Test
    void tooManyWaitingIsRefusedAtOnceAndATimeoutAfterTheWait() throws Exception {
        Admission a = new Admission(1, 1, Duration.ofMillis(200));
        a.enter("p");
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> waiter = vt.submit(() -> {
                a.enter("p");
                return null;
            });
            waitFor(() -> a.waiting() == 1);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> a.enter("p")).isInstanceOf(Admission.Saturated.class)
                    .hasMessageContaining("1 callers already wait");
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(150));
            assertThatThrownBy(waiter::get).hasCauseInstanceOf(Admission.Saturated.class)
                    .hasMessageContaining("no connection within 200 ms");
        }
        assertThat(a.waiting()).isZero();
        assertThat(a.inUse()).isEqualTo(1);
    }

    @Test
    void saturationIsRetriedButNeverOpensTheBreakerAndTheProbeStillGetsThrough() throws Exception {
        Admission a = new Admission(1, 10, Duration.ofMillis(50));
        Pool p = pool(a);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> busy = vt.submit(() -> p.run(c -> {
                holding.countDown();
                awaitQuietly(release);
                return 1;
            }));
            holding.await();
            for (int i = 0; i < 5; i++) { // the breaker opens after 1 server failure: saturation is none
                assertThatThrownBy(() -> p.run(c -> 2)).isInstanceOf(Admission.Saturated.class)
                        .satisfies(e -> assertThat(TransientErrors.isTransient(e)).isTrue())
                        .satisfies(e -> assertThat(TransientErrors.isServerFailure(e)).isFalse());
            }
            assertThat(p.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(p.stats().snapshot().errors()).isZero();
            assertThat(p.<Integer>probe(c -> 3)).isEqualTo(3); // not admitted, not refused
            release.countDown();
            assertThat(busy.get()).isEqualTo(1);
        }
        assertThat(p.<Integer>run(c -> 5)).isEqualTo(5);
        assertThat(a.inUse()).isZero();
    }

    @Test
    void waitingCallersCountAsPendingAndGetTheConnectionWhenItIsGivenBack() throws Exception {
        Admission a = new Admission(1, 10, Duration.ofSeconds(30));
        Pool p = pool(a);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> busy = vt.submit(() -> p.run(c -> {
                holding.countDown();
                awaitQuietly(release);
                return 1;
            }));
            holding.await();
            Future<Integer> queued = vt.submit(() -> p.run(c -> 4));
            waitFor(() -> p.connections()[3] == 1);
            assertThat(queued.isDone()).isFalse();
            release.countDown();
            assertThat(busy.get()).isEqualTo(1);
            assertThat(queued.get()).isEqualTo(4);
        }
        assertThat(p.connections()[3]).isZero();
    }

    @Test
    void anOpenBreakerFailsBeforeAnyWait() {
        Admission a = new Admission(1, 10, Duration.ofSeconds(30));
        Pool p = pool(a);
        p.breaker().open();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.run(c -> 1)).isInstanceOf(dev.failsafe.CircuitBreakerOpenException.class);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(a.inUse()).isZero();
    }
}
