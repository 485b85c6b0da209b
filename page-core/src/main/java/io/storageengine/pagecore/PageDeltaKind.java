package io.storageengine.pagecore;

import io.storageengine.schemas.wal.RecordType;

/**
 * PAGE_DELTA: body {@code u16 count | count × (u16 offset, u16 len, len bytes)}, big-endian; the
 * patches are copied into the page in order. Needs the page as it was. Stateless singleton.
 */
public final class PageDeltaKind implements RecordKind {
    static final PageDeltaKind INSTANCE = new PageDeltaKind();

    private PageDeltaKind() {
    }

    @Override
    public RecordType type() {
        return RecordType.PAGE_DELTA;
    }

    @Override
    public boolean initializesPage(byte[] stored) {
        return false;
    }

    @Override
    public void apply(byte[] page, byte[] stored, ApplyContext context) {
        int p = StoredVersion.BODY;
        int count = u16(stored, p);
        p += 2;
        for (int i = 0; i < count; i++) {
            int off = u16(stored, p);
            int len = u16(stored, p + 2);
            p += 4;
            System.arraycopy(stored, p, page, off, len);
            p += len;
        }
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    @Override
    public String toString() {
        return "PAGE_DELTA";
    }
}
