package io.storageengine.pageservice.http;

import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.TimelineStatus;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PageReader whose outcome is chosen by the requested block number, so each test names the
 * behaviour it wants: blocks below 400 succeed with a page filled with the block's low byte
 * (page LSN 0/100, request LSN = the requested LSN or 0/200), 404 → page not found, 405 → timeline
 * not found, 410 → below GC horizon 0/50, 503 → partition unavailable, 504 → WAL wait timeout
 * (last applied 0/180), 500 → a store failure (runtime exception), 599 → deadline exceeded,
 * 501 → a record no redo engine replays (Heap, info 0x20, LSN 1/40), 502 → a record that does not
 * fit the page (LSN 1/50).
 * 700 → blocks until {@link #gate} opens, then succeeds. {@link #failing} makes every read a
 * store failure. Records every request. Thread-safe.
 */
final class FakeReader implements PageReader {
    static final Lsn PAGE_LSN = Lsn.parse("0/100");
    static final Lsn NEWEST = Lsn.parse("0/200");
    final List<PageRequest> requests = new CopyOnWriteArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);

    static byte[] pageFor(long block) {
        byte[] page = new byte[8192];
        Arrays.fill(page, (byte) block);
        return page;
    }

    @Override
    public PageVersion read(PageRequest r) throws PageReadException {
        requests.add(r);
        if (failing.get()) {
            throw new IllegalStateException("store is broken");
        }
        long block = r.page().block();
        if (block == 700) {
            blocked.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return switch ((int) block) {
            case 404 -> throw new PageReadException.PageNotFound("page " + r.page() + " has no record at or before " + r.lsn());
            case 405 -> throw new PageReadException.TimelineNotFound("unknown timeline " + r.timeline());
            case 410 -> throw new PageReadException.BelowGcHorizon("lsn below horizon", Lsn.parse("0/50"));
            case 503 -> throw new PageReadException.Unavailable("partition 3 restoring", Duration.ofSeconds(2));
            case 504 -> throw new PageReadException.WalWaitTimeout("WAL not there", Lsn.parse("0/180"));
            case 500 -> throw new IllegalStateException("rocksdb exploded");
            case 599 -> throw new PageReadException.DeadlineExceeded("took too long");
            case 501 -> throw PageReadException.of(new io.storageengine.pagecore.RedoUnsupportedException(10, 0x20,
                    0x1_0000_0040L, r.page(), "no redo engine"), r.timeline());
            case 502 -> throw PageReadException.of(new io.storageengine.pagecore.RedoException(r.page(), 0x1_0000_0050L,
                    "item offset past the page end"), r.timeline());
            default -> new PageVersion(pageFor(block), PAGE_LSN, r.lsn() == null ? NEWEST : r.lsn());
        };
    }

    @Override
    public TimelineStatus status(TimelineKey timeline) throws PageReadException {
        if (timeline.timeline().lo() == 0x405) {
            throw new PageReadException.TimelineNotFound("unknown timeline " + timeline);
        }
        return new TimelineStatus(timeline, NEWEST, Lsn.parse("0/150"), Lsn.parse("0/50"));
    }
}
