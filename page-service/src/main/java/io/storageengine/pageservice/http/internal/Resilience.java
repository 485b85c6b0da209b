package io.storageengine.pageservice.http.internal;

import dev.failsafe.Bulkhead;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.RateLimitExceededException;
import dev.failsafe.RateLimiter;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Failsafe policies of the read path, built once and used in Failsafe's standalone mode
 * (permits recorded by hand, no executor and no Timeout policy on the hot path):
 * <ul>
 *   <li>a smooth {@link RateLimiter} per tenant (configured limit or the default), waiting up to
 *       {@code rate-limit.max-wait} for a permit; at most {@code max-tenants} limiters are kept,
 *       further unconfigured tenants share one overflow limiter (bounded memory);</li>
 *   <li>a {@link Bulkhead} bounding concurrent reconstructions;</li>
 *   <li>a {@link CircuitBreaker} around the store: opens after {@code failures} failures within
 *       {@code window}, then lets {@code success-threshold} probes through when half-open. Only
 *       store/infrastructure failures count (unexpected exceptions from the reader), not
 *       404/410/400/504 outcomes nor partition-not-ready. Missed reconstruction deadlines count only
 *       with {@code breaker.count-deadline-misses}: measured here they come mostly from the
 *       process's own GC pauses and CPU contention, and counting them turned short overloads into
 *       5-second outages (a missed deadline still answers that request 503).</li>
 * </ul>
 * Rejections throw Failsafe's own exceptions, mapped to statuses by {@link Problems}. Thread-safe.
 */
public final class Resilience {

    /** A call into the store. */
    @FunctionalInterface
    public interface StoreCall<T> {
        T call() throws PageReadException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Resilience.class);
    private static final long SLOT_POLL_NANOS = 200_000;

    private final PageServiceConfig.RateLimit rateConfig;
    private final ConcurrentMap<TenantId, RateLimiter<Object>> limiters = new ConcurrentHashMap<>();
    private final RateLimiter<Object> overflow;
    private final CircuitBreaker<Object> breaker;
    private final Bulkhead<Object> bulkhead;
    private final Duration bulkheadWait;
    private final PageMetrics metrics;
    private final boolean countDeadlineMisses;

    public Resilience(PageServiceConfig.RateLimit rate, PageServiceConfig.Breaker breaker,
                      PageServiceConfig.Bulkhead bulkhead, PageMetrics metrics) {
        this.rateConfig = rate;
        this.overflow = limiter(rate.defaultPerSecond());
        this.breaker = CircuitBreaker.builder()
                .withFailureThreshold(breaker.failures(), breaker.window())
                .withSuccessThreshold(breaker.successThreshold())
                .withDelay(breaker.openDelay())
                .onOpen(e -> LOG.warn("store circuit breaker OPEN for {} ms after {} failures",
                        breaker.openDelay().toMillis(), breaker.failures()))
                .onHalfOpen(e -> LOG.info("store circuit breaker half-open: probing"))
                .onClose(e -> LOG.info("store circuit breaker closed"))
                .build();
        this.bulkhead = Bulkhead.of(bulkhead.maxConcurrent());
        this.bulkheadWait = bulkhead.maxWait();
        this.metrics = metrics;
        this.countDeadlineMisses = breaker.countDeadlineMisses();
        metrics.breakerState(() -> this.breaker.isOpen() ? 2 : this.breaker.isHalfOpen() ? 1 : 0);
    }

    public CircuitBreaker<Object> breaker() {
        return breaker;
    }

    /** Takes one permit from the tenant's limiter. @throws RateLimitExceededException (429) */
    public void acquireRate(TenantId tenant) {
        RateLimiter<Object> limiter = limiterFor(tenant);
        boolean ok;
        try {
            ok = limiter.tryAcquirePermit(rateConfig.maxWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (!ok) {
            metrics.rateLimited();
            throw new RateLimitExceededException(limiter);
        }
    }

    /**
     * Runs a store call inside the bulkhead and the circuit breaker.
     *
     * @throws BulkheadFullException (503) when no slot frees up within {@code bulkhead.max-wait}
     * @throws CircuitBreakerOpenException (503) when the breaker is open or its half-open probe is busy
     */
    public <T> T store(StoreCall<T> call) throws PageReadException {
        boolean slot = acquireSlot();
        if (!slot) {
            throw new BulkheadFullException(bulkhead);
        }
        try {
            if (!breaker.tryAcquirePermit()) {
                throw new CircuitBreakerOpenException(breaker);
            }
            try {
                T result = call.call();
                breaker.recordSuccess();
                return result;
            } catch (PageReadException e) {
                if (countDeadlineMisses && e instanceof PageReadException.DeadlineExceeded) {
                    breaker.recordFailure();
                } else {
                    breaker.recordSuccess();
                }
                throw e;
            } catch (RuntimeException | Error e) {
                breaker.recordFailure();
                throw e;
            }
        } finally {
            bulkhead.releasePermit();
        }
    }

    /**
     * Takes a bulkhead slot, polling for up to {@code bulkhead.max-wait}. Failsafe 3.3.2's own
     * {@code Bulkhead.tryAcquirePermit(Duration)} leaks a permit whenever a wait times out (the
     * abandoned waiter stays queued and later swallows a released permit), so only the non-waiting
     * {@code tryAcquirePermit()} is used here.
     */
    private boolean acquireSlot() {
        if (bulkhead.tryAcquirePermit()) {
            return true;
        }
        long deadline = System.nanoTime() + bulkheadWait.toNanos();
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(SLOT_POLL_NANOS);
            if (bulkhead.tryAcquirePermit()) {
                return true;
            }
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return false;
    }

    private RateLimiter<Object> limiterFor(TenantId tenant) {
        RateLimiter<Object> l = limiters.get(tenant);
        if (l != null) {
            return l;
        }
        boolean configured = rateConfig.perTenant().containsKey(tenant);
        if (!configured && limiters.size() >= rateConfig.maxTenants()) {
            return overflow;
        }
        return limiters.computeIfAbsent(tenant, t -> limiter(rateConfig.limitFor(t)));
    }

    private RateLimiter<Object> limiter(int perSecond) {
        return RateLimiter.smoothBuilder(perSecond, Duration.ofSeconds(1))
                .withMaxWaitTime(rateConfig.maxWait()).build();
    }
}
