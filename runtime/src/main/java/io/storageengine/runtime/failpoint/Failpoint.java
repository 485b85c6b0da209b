package io.storageengine.runtime.failpoint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One named failpoint, got from {@link Failpoints#point}. The code calls {@link #hit()} where the
 * fault belongs; while the point is off that is one volatile read and nothing else. When on, a hit
 * sleeps or throws a {@link FailpointException} as its {@link FailpointAction} says; a counted
 * action ({@code N*...}) acts on the next N hits, then the point turns itself off. Hits that acted
 * are counted ({@link #hits()}, exported as {@code se_failpoint_hits_total{name}}). Thread-safe:
 * the action is swapped atomically; hits racing with a change see the old or the new action.
 */
public final class Failpoint {
    private static final VarHandle ARMED;

    static {
        try {
            ARMED = MethodHandles.lookup().findVarHandle(Failpoint.class, "armed", Armed.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An action in force and, for a counted one, the hits it has left. */
    private record Armed(FailpointAction action, AtomicLong left) {
    }

    private final String name;
    private final LongAdder hits = new LongAdder();
    /** Null while off: the only field {@link #hit()} reads then. */
    private volatile Armed armed;
    private volatile boolean registered;

    Failpoint(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name() {
        return name;
    }

    /**
     * Where the fault belongs: returns at once when off; sleeps, or throws
     * {@link FailpointException}, when on.
     *
     * @throws FailpointException for an {@code error} action (an {@link java.io.IOException})
     * @throws java.io.InterruptedIOException if interrupted while sleeping (the interrupt flag is set again)
     */
    public void hit() throws FailpointException, java.io.InterruptedIOException {
        Armed a = armed;
        if (a == null) {
            return;
        }
        act(a);
    }

    private void act(Armed a) throws FailpointException, java.io.InterruptedIOException {
        if (a.left() != null) {
            long before = a.left().getAndDecrement();
            if (before <= 0) { // used up by racing hits
                ARMED.compareAndSet(this, a, (Armed) null);
                return;
            }
            if (before == 1) { // the last one: off afterwards, unless changed meanwhile
                ARMED.compareAndSet(this, a, (Armed) null);
            }
        }
        hits.increment();
        FailpointAction action = a.action();
        switch (action.kind()) {
            case SLEEP -> {
                try {
                    TimeUnit.NANOSECONDS.sleep(action.sleep().toNanos());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    java.io.InterruptedIOException io = new java.io.InterruptedIOException(
                            "interrupted while sleeping at failpoint " + name);
                    io.initCause(e);
                    throw io;
                }
            }
            case ERROR -> throw new FailpointException(name,
                    action.message() != null ? action.message() : "injected error at failpoint " + name);
            case OFF -> {
            }
        }
    }

    /** Sets the action ({@link FailpointAction#OFF} turns it off); returns the one in force before. */
    public FailpointAction set(FailpointAction action) {
        Objects.requireNonNull(action, "action");
        Armed next = action.isOff() ? null : new Armed(action, action.count() > 0 ? new AtomicLong(action.count()) : null);
        Armed prev = (Armed) ARMED.getAndSet(this, next);
        return prev == null ? FailpointAction.OFF : prev.action();
    }

    /** The action in force ({@link FailpointAction#OFF} when off, also once a counted action is used up). */
    public FailpointAction action() {
        Armed a = armed;
        return a == null ? FailpointAction.OFF : a.action();
    }

    /** Hits a counted action has left, or -1 when the action is not counted (or off). */
    public long remaining() {
        Armed a = armed;
        return a == null || a.left() == null ? -1 : Math.max(0, a.left().get());
    }

    /** Hits that acted (slept or threw) since the process started. */
    public long hits() {
        return hits.sum();
    }

    /** True once code asked for this point ({@link Failpoints#point}); false if only configured. */
    public boolean registered() {
        return registered;
    }

    void markRegistered() {
        registered = true;
    }

    @Override
    public String toString() {
        return name + "=" + action();
    }
}
