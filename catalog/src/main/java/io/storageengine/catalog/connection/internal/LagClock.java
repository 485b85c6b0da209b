package io.storageengine.catalog.connection.internal;

import io.storageengine.schemas.wal.Lsn;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Turns WAL positions into a replica's lag in time. Each probe round records the primary's
 * {@code pg_current_wal_lsn()} with the local time ({@link #primaryAt}); a replica that has replayed
 * up to LSN {@code r} holds everything the primary had at the newest sample whose LSN is at or
 * below {@code r}, so its lag is at most the time since that sample (0 when it replayed the newest
 * sample). This needs no clock shared with the servers and no recent commit: an idle primary
 * gives no false lag, and a replica whose replay stopped ages by the wall clock. Replays older than
 * every kept sample (the last 64) fall back to the age of the oldest sample or of the last replayed
 * commit ({@code now() - pg_last_xact_replay_timestamp()}), whichever is larger. Thread-safe.
 */
public final class LagClock {
    static final int KEEP = 64;

    private record Sample(long nanos, Lsn lsn) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Records the primary's current LSN as of {@code nanos} ({@link System#nanoTime()}). */
    public synchronized void primaryAt(long nanos, Lsn lsn) {
        Sample last = samples.peekLast();
        if (last != null && lsn.compareTo(last.lsn()) < 0) {
            samples.clear(); // a new primary with a lower LSN (cannot happen with promotion, but never mix timelines)
        }
        samples.addLast(new Sample(nanos, lsn));
        while (samples.size() > KEEP) {
            samples.removeFirst();
        }
    }

    /**
     * The lag (ms) of a replica that replayed up to {@code replay} ({@code null}: unknown), -1 when
     * it cannot be told. {@code replayAgeMillis}: age of its last replayed commit, or null.
     * {@code replayedAllReceived}: it replayed all it received (used when no sample exists).
     */
    public synchronized long lagMillis(long nowNanos, Lsn replay, Long replayAgeMillis, boolean replayedAllReceived) {
        if (replay == null) {
            return -1;
        }
        if (samples.isEmpty()) {
            return replayedAllReceived ? 0 : replayAgeMillis == null ? -1 : Math.max(0, replayAgeMillis);
        }
        if (replay.compareTo(samples.peekLast().lsn()) >= 0) {
            return 0;
        }
        Iterator<Sample> newestFirst = samples.descendingIterator();
        while (newestFirst.hasNext()) {
            Sample s = newestFirst.next();
            if (s.lsn().compareTo(replay) <= 0) {
                return Math.max(0, (nowNanos - s.nanos()) / 1_000_000);
            }
        }
        long oldest = Math.max(0, (nowNanos - samples.peekFirst().nanos()) / 1_000_000);
        return replayAgeMillis == null ? oldest : Math.max(oldest, replayAgeMillis);
    }

    /** Bytes between the newest primary sample and {@code replay} (-1 unknown). */
    public synchronized long lagBytes(Lsn replay) {
        Sample last = samples.peekLast();
        if (replay == null || last == null) {
            return -1;
        }
        return Math.max(0, last.lsn().value() - replay.value());
    }
}
