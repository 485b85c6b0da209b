package io.storageengine.postgres.redo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.storageengine.postgres.redo.internal.Masks;
import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.PageException;
import io.storageengine.postgres.redo.internal.RedoRecord;
import io.storageengine.postgres.redo.internal.VmClears;
import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.ResourceManager;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;

/**
 * Our own {@code wal_consistency_checking}: fed the records of a WAL range in order, it keeps the
 * state of every page it has seen (from applied images and page-initializing records on),
 * applies our redo to each block reference, and for every block that carries a consistency image
 * (an image redo does not apply, as written with {@code wal_consistency_checking}) compares our
 * page with the image after PostgreSQL's masking for that resource manager, as
 * {@code verifyBackupPageConsistency} does. After a mismatch, an unsupported kind or an error the
 * page continues from PostgreSQL's image, so each problem is reported once.
 *
 * <p>Memory: at most {@code maxPages} tracked pages (least recently used evicted; an evicted
 * page counts as untracked until its next image). Not thread-safe.
 */
public final class ConsistencyChecker {

    private static final int MAX_LINES = 200;

    /** A block reference whose consistency image was compared; {@code before} is null for a WILL_INIT block. */
    public record Checked(DecodedRecord record, int blockId, byte[] before, boolean equal) {
    }

    private final PgRedoEngine engine;
    private java.util.function.Consumer<Checked> listener;
    private final Map<PageRef, byte[]> pages;
    private final Map<String, long[]> perKind = new TreeMap<>();
    private final Map<String, Long> unsupported = new TreeMap<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private final List<String> lines = new ArrayList<>();
    private long records;
    private long recordsChecked;
    private long equal;
    private long differ;
    private long restored;
    private long untracked;
    private long lastEnd;

    public ConsistencyChecker(PgRedoEngine engine, int maxPages) {
        this.engine = engine;
        this.pages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PageRef, byte[]> eldest) {
                return size() > maxPages;
            }
        };
    }

    /** Called for each compared block (for capturing test fixtures); null for none. */
    public void onChecked(java.util.function.Consumer<Checked> listener) {
        this.listener = listener;
    }

    /** Checks one record (records must come in WAL order). */
    public void check(DecodedRecord rec) {
        records++;
        long end = rec.endLsn().value();
        lastEnd = end;
        String kind = rec.rmgr() + "/" + rec.recordName();
        boolean anyChecked = false;
        RedoRecord adapted = PgRedoEngine.adapt(rec);
        VmClears.applyTo(pages, adapted, VmClears.of(adapted), end); // implicit clears: not block references
        SmgrTruncateRedo.Truncate truncate = SmgrTruncateRedo.parse(rec);
        if (truncate != null) {
            SmgrTruncateRedo.applyTo(truncate, pages);
        }
        for (BlockRef b : rec.blocks()) {
            PageRef key = b.pageRef();
            byte[] before = pages.get(key);
            boolean applies = b.hasImage() && b.image().apply();
            boolean consistencyImage = b.hasImage() && !applies;
            if (before == null && !applies && !b.willInit()) {
                if (consistencyImage) {
                    untracked++;
                    adopt(key, b, end);
                }
                continue;
            }
            byte[] page = before == null ? new byte[Page.SIZE] : before.clone();
            try {
                engine.apply(page, adapted, b.id(), end);
            } catch (RedoUnsupportedException e) {
                unsupported.merge(kind, 1L, Long::sum);
                if (unsupported.get(kind) == 1) {
                    line("UNSUPPORTED " + kind + " at " + rec.endLsn() + " page " + key);
                }
                resync(key, b, end, consistencyImage);
                continue;
            } catch (RedoException e) {
                errors.merge(kind, 1L, Long::sum);
                line("ERROR " + kind + ": " + e.getMessage());
                resync(key, b, end, consistencyImage);
                continue;
            }
            if (applies) {
                restored++;
            }
            pages.put(key, page);
            if (!consistencyImage || Long.compareUnsigned(new Page(page).lsn(), end) > 0) {
                continue;
            }
            anyChecked = true;
            byte[] image = b.image().restorePage();
            String diff = compare(rec.rmgr(), page, image, (int) b.blockNumber());
            if (listener != null) {
                listener.accept(new Checked(rec, b.id(), before == null ? null : before.clone(), diff == null));
            }
            long[] counts = perKind.computeIfAbsent(kind, k -> new long[2]);
            if (diff == null) {
                equal++;
                counts[0]++;
            } else {
                differ++;
                counts[1]++;
                line("MISMATCH " + kind + " at " + rec.endLsn() + " page " + key + ": " + diff);
                adopt(key, b, end);
            }
        }
        if (anyChecked) {
            recordsChecked++;
        }
    }

    private void resync(PageRef key, BlockRef b, long end, boolean hasImage) {
        if (hasImage) {
            adopt(key, b, end);
        } else {
            pages.remove(key);
        }
    }

    /** Continues from PostgreSQL's page (the image is taken before the LSN is stamped). */
    private void adopt(PageRef key, BlockRef b, long end) {
        byte[] image = b.image().restorePage();
        Page p = new Page(image);
        if (!p.isNew()) {
            p.setLsn(end);
        }
        pages.put(key, image);
    }

    /** Null when equal after masking, else where and how they first differ. */
    static String compare(ResourceManager rmgr, byte[] ours, byte[] theirs, int blockNumber) {
        byte[] a = ours.clone();
        byte[] b = theirs.clone();
        try {
            mask(rmgr, a, blockNumber);
            mask(rmgr, b, blockNumber);
        } catch (PageException e) {
            return "masking failed: " + e.getMessage();
        }
        for (int i = 0; i < Page.SIZE; i++) {
            if (a[i] != b[i]) {
                return String.format("first difference at byte %d (%s): ours 0x%02X, PostgreSQL's 0x%02X", i,
                        region(a, i), a[i] & 0xFF, b[i] & 0xFF);
            }
        }
        return null;
    }

    private static String region(byte[] page, int i) {
        if (i < Page.HEADER_SIZE) {
            return "page header";
        }
        int lower = new Page(page).lower();
        if (i < lower) {
            return "line pointer " + ((i - Page.HEADER_SIZE) / Page.ITEM_ID_SIZE + 1);
        }
        return i >= new Page(page).special() ? "special space" : "tuple data";
    }

    /** The resource manager's rm_mask (none for XLOG, Storage...: raw comparison, as PostgreSQL). */
    static void mask(ResourceManager rmgr, byte[] page, int blockNumber) {
        switch (rmgr) {
            case HEAP, HEAP2 -> Masks.heapMask(page, blockNumber);
            case BTREE -> Masks.btreeMask(page, blockNumber);
            case SEQUENCE -> Masks.seqMask(page, blockNumber);
            case HASH -> Masks.hashMask(page, blockNumber);
            case GIN -> Masks.ginMask(page, blockNumber);
            case GIST -> Masks.gistMask(page, blockNumber);
            case BRIN -> Masks.brinMask(page, blockNumber);
            case SPGIST -> Masks.spgMask(page, blockNumber);
            case GENERIC -> Masks.genericMask(page, blockNumber);
            case XLOG, TRANSACTION, STORAGE, CLOG, DATABASE, TABLESPACE, MULTI_XACT, REL_MAP, STANDBY, COMMIT_TS,
                 REPLICATION_ORIGIN, LOGICAL_MESSAGE -> {
                // no rm_mask in PostgreSQL either: raw comparison (these carry no consistency image)
            }
        }
    }

    private void line(String s) {
        if (lines.size() < MAX_LINES) {
            lines.add(s);
        } else if (lines.size() == MAX_LINES) {
            lines.add("... (further lines omitted)");
        }
    }

    /** The pages as replayed so far (a read-only view, valid until the next {@link #check}). */
    public Map<PageRef, byte[]> trackedPages() {
        return java.util.Collections.unmodifiableMap(pages);
    }

    public CheckReport report() {
        Map<String, long[]> kinds = new LinkedHashMap<>();
        perKind.forEach((k, v) -> kinds.put(k, v.clone()));
        return new CheckReport(records, recordsChecked, equal, differ, restored, untracked, kinds,
                java.util.Collections.unmodifiableMap(new TreeMap<>(unsupported)),
                java.util.Collections.unmodifiableMap(new TreeMap<>(errors)), List.copyOf(lines), Lsn.format(lastEnd));
    }
}
