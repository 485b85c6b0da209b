package io.storageengine.postgres.redo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.Redo;
import io.storageengine.postgres.redo.internal.RedoRecord;
import io.storageengine.postgres.redo.internal.VmClears;
import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;

/**
 * {@code pg-replay}: crash recovery in the JVM. Reads a WAL range from segment files and replays
 * every block reference into an in-memory page set, as PostgreSQL's startup process replays into
 * shared buffers: pages modified in place, one decode per record, no consistency bookkeeping. The
 * page set starts empty (as after a checkpoint with {@code full_page_writes = on}, the first change
 * of each page carries its image); a block whose earlier state is not held and that neither
 * carries an image nor initializes the page is skipped and counted as {@code untracked}.
 *
 * <p>It exists to measure our redo against PostgreSQL's own crash recovery of the same range
 * ({@code ./se bench redo}), and to replay WAL for inspection. Correctness of the page bytes is
 * the business of {@link ConsistencyChecker} and the ITs; this class shares their redo, VM and
 * truncation rules ({@link PgRedoEngine#adapt}, {@link VmClears}, {@link SmgrTruncateRedo}).
 *
 * <p>Memory: at most {@code maxPages} pages; beyond that an arbitrary page is dropped (counted as
 * {@code evicted}, like a buffer PostgreSQL would have written out), plus the bounded queue of
 * prepared records of {@link #replay(Path, Lsn, Lsn, PgReplay)}. An instance is not thread-safe:
 * one thread applies records (the reading thread of the static method only prepares them).
 *
 * <pre>
 * pg-replay --pg-wal DIR [--start-lsn X/Y] [--end-lsn X/Y] [--hint-bits-logged] [--max-pages N] [--passes N]
 * </pre>
 * {@code --passes N} replays the range N times in the same JVM, each pass from an empty page set,
 * and prints one line per pass: the first is a fresh JVM's (interpreted and JIT-compiling code, as
 * after a process start), the later ones a warm JVM's, as in a long-running page service.
 */
public final class PgReplay {

    /** What a replay did; {@code nanos} is the replay loop only (reading, decoding, redo). */
    public record Result(long records, long blocksApplied, long imagesRestored, long untracked, long evicted,
                         long pages, Map<String, Long> unsupported, Map<String, Long> errors, String endLsn,
                         long nanos) {

        public String describe() {
            return String.format("records read: %d (to %s), blocks applied: %d, images restored: %d, untracked: %d,"
                            + " pages held: %d, evicted: %d, replay %.3f s%s%s%n", records, endLsn, blocksApplied,
                    imagesRestored, untracked, pages, evicted, nanos / 1e9,
                    unsupported.isEmpty() ? "" : ", unsupported " + unsupported,
                    errors.isEmpty() ? "" : ", errors " + errors);
        }
    }

    /** Records per hand-over between the reading and the applying thread. */
    static final int BATCH = 256;
    /** Batches in flight between them: at most BATCH * QUEUE_BATCHES prepared records in memory. */
    static final int QUEUE_BATCHES = 8;

    private final Redo redo;
    private final int maxPages;
    private final Map<PageRef, byte[]> pages = new HashMap<>(1 << 16);
    private final Map<String, Long> unsupported = new TreeMap<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private long records;
    private long applied;
    private long restored;
    private long untracked;
    private long evicted;
    private long lastEnd;

    public PgReplay(boolean hintBitsLogged, int maxPages) {
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages must be positive: " + maxPages);
        }
        this.redo = new Redo(hintBitsLogged);
        this.maxPages = maxPages;
    }

    /**
     * A record made ready for redo (decoded, adapted, images redo applies already decompressed,
     * its visibility-map clears and truncation worked out): the reading thread's share of the work.
     */
    private record Prepared(DecodedRecord rec, RedoRecord adapted, List<VmClearTargets.Clear> clears,
                            SmgrTruncateRedo.Truncate truncate) {
    }

    private static Prepared prepare(DecodedRecord rec) {
        RedoRecord adapted = PgRedoEngine.adapt(rec, true);
        return new Prepared(rec, adapted, VmClears.of(adapted), SmgrTruncateRedo.parse(rec));
    }

    /** Replays one record (records must come in WAL order). */
    public void replay(DecodedRecord rec) {
        apply(prepare(rec));
    }

    private void apply(Prepared p) {
        DecodedRecord rec = p.rec();
        RedoRecord adapted = p.adapted();
        records++;
        long end = rec.endLsn().value();
        lastEnd = end;
        VmClears.applyTo(pages, adapted, p.clears(), end);
        if (p.truncate() != null) {
            SmgrTruncateRedo.applyTo(p.truncate(), pages);
        }
        for (BlockRef b : rec.blocks()) {
            PageRef key = b.pageRef();
            byte[] page = pages.get(key);
            if (page == null) {
                if (!b.startsPage()) {
                    untracked++;
                    continue;
                }
                page = new byte[Page.SIZE];
            }
            try {
                redo.apply(page, adapted, b.id(), end);
            } catch (RedoUnsupportedException e) {
                unsupported.merge(rec.rmgr() + "/" + rec.recordName(), 1L, Long::sum);
                pages.remove(key);
                continue;
            } catch (RedoException e) {
                errors.merge(rec.rmgr() + "/" + rec.recordName(), 1L, Long::sum);
                pages.remove(key);
                continue;
            }
            applied++;
            if (b.hasImage() && b.image().apply()) {
                restored++;
            }
            if (pages.put(key, page) == null && pages.size() > maxPages) {
                evictOne(key);
            }
        }
    }

    private void evictOne(PageRef keep) {
        Iterator<PageRef> it = pages.keySet().iterator();
        while (it.hasNext()) {
            if (!it.next().equals(keep)) {
                it.remove();
                evicted++;
                return;
            }
        }
    }

    /** The page set as replayed so far (read-only view, valid until the next {@link #replay}). */
    public Map<PageRef, byte[]> pages() {
        return java.util.Collections.unmodifiableMap(pages);
    }

    public Result result(long nanos) {
        return new Result(records, applied, restored, untracked, evicted, pages.size(), Map.copyOf(unsupported),
                Map.copyOf(errors), Lsn.format(lastEnd), nanos);
    }

    /**
     * Replays the records of {@code pgWal} that end after {@code start} and at or before {@code end}
     * (null: all) on two threads, as a pipeline: a reading thread reads, checks and decodes records
     * and decompresses the images redo applies; the calling thread applies them in WAL order.
     * Between them at most {@value #QUEUE_BATCHES} batches of {@value #BATCH} records (backpressure).
     * Interrupting the calling thread cancels both.
     */
    public static Result replay(Path pgWal, Lsn start, Lsn end, PgReplay replay) throws IOException {
        long t0 = System.nanoTime();
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
        Thread reader = Thread.ofPlatform().name("pg-replay-reader").daemon(true).start(() -> read(pgWal, start, end, queue));
        try {
            while (true) {
                Object item = queue.take();
                if (item instanceof Prepared[] batch) {
                    if (batch.length == 0) {
                        break;
                    }
                    for (Prepared p : batch) {
                        replay.apply(p);
                    }
                } else if (item instanceof IOException e) {
                    throw new IOException(e.getMessage(), e);
                } else if (item instanceof RuntimeException e) {
                    throw e;
                } else {
                    throw new IllegalStateException("pg-replay reader failed", (Throwable) item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("pg-replay cancelled at " + Lsn.format(replay.lastEnd), e);
        } finally {
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return replay.result(System.nanoTime() - t0);
    }

    /** The reading thread: batches of prepared records, then an empty batch, or the failure. */
    private static void read(Path pgWal, Lsn start, Lsn end, BlockingQueue<Object> queue) {
        try {
            try (WalSegmentSource src = WalSegmentSource.open(pgWal); XLogReader reader = XLogReader.open(src, start)) {
                List<Prepared> batch = new ArrayList<>(BATCH);
                DecodedRecord rec;
                while ((rec = reader.next()) != null && (end == null || !rec.endLsn().isAfter(end))) {
                    batch.add(prepare(rec));
                    if (batch.size() == BATCH) {
                        queue.put(batch.toArray(Prepared[]::new));
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    queue.put(batch.toArray(Prepared[]::new));
                }
                queue.put(new Prepared[0]);
            } catch (IOException | RuntimeException | Error e) {
                queue.put(e);
            }
        } catch (InterruptedException e) {
            // cancelled by the applying thread: it is not waiting for anything more
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        WalRangeOptions o;
        try {
            o = WalRangeOptions.parse(args, true);
        } catch (RuntimeException e) {
            err.println("pg-replay: " + e.getMessage());
            err.println("usage: pg-replay " + WalRangeOptions.USAGE + " [--passes N]");
            return 2;
        }
        try {
            boolean ok = true;
            for (int pass = 1; pass <= o.passes(); pass++) {
                Result r = replay(o.dir(), o.start(), o.end(), new PgReplay(o.hintBitsLogged(), o.maxPages()));
                out.print((o.passes() > 1 ? "pass " + pass + ": " : "") + r.describe());
                ok &= r.errors().isEmpty();
            }
            return ok ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            err.println("pg-replay: " + e.getMessage());
            return 2;
        }
    }
}
