package io.storageengine.pageservice.topology;

import io.storageengine.schemas.page.PageKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent model of the spec's page semantics, written from {@code wal-format.md} alone
 * (plain lists, no schemas apply code): per page the records in LSN order; the page as of L is the
 * newest image ≤ L (or zeros) with every later delta's patches copied in order. Tests compare the
 * service against it. Not thread-safe: build it, then read it.
 */
public final class ReferenceModel {
    /** One patch: bytes written at an offset. */
    public record Patch(int offset, byte[] data) {
    }

    /** One page record: an image (patches null) or a delta. */
    public record Rec(long lsn, byte[] image, List<Patch> patches) {
    }

    /** A page as of an LSN, or {@code page == null} when it has no record at or before it. */
    public record Expected(byte[] page, long pageLsn) {
    }

    private final Map<PageKey, List<Rec>> pages = new HashMap<>();

    public void image(PageKey key, long lsn, byte[] page) {
        pages.computeIfAbsent(key, k -> new ArrayList<>()).add(new Rec(lsn, page.clone(), null));
    }

    public void delta(PageKey key, long lsn, List<Patch> patches) {
        pages.computeIfAbsent(key, k -> new ArrayList<>()).add(new Rec(lsn, null, List.copyOf(patches)));
    }

    public List<PageKey> pageKeys() {
        return new ArrayList<>(pages.keySet());
    }

    public List<Rec> records(PageKey key) {
        return pages.getOrDefault(key, List.of());
    }

    public Expected pageAt(PageKey key, long lsn) {
        byte[] page = null;
        long pageLsn = 0;
        for (Rec r : records(key)) {
            if (r.lsn() > lsn) {
                break;
            }
            if (r.image() != null) {
                page = r.image().clone();
            } else {
                if (page == null) {
                    page = new byte[8192];
                }
                for (Patch p : r.patches()) {
                    System.arraycopy(p.data(), 0, page, p.offset(), p.data().length);
                }
            }
            pageLsn = r.lsn();
        }
        return new Expected(page, pageLsn);
    }
}
