package io.storageengine.pagecore;

import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;

/** PAGE_IMAGE: the page becomes the stored 8192 bytes. Starts a chain. Stateless singleton. */
public final class PageImageKind implements RecordKind {
    static final PageImageKind INSTANCE = new PageImageKind();

    private PageImageKind() {
    }

    @Override
    public RecordType type() {
        return RecordType.PAGE_IMAGE;
    }

    @Override
    public boolean initializesPage(byte[] stored) {
        return true;
    }

    @Override
    public void apply(byte[] page, byte[] stored, ApplyContext context) {
        System.arraycopy(stored, StoredVersion.BODY, page, 0, WalFormat.PAGE_SIZE);
    }

    @Override
    public String toString() {
        return "PAGE_IMAGE";
    }
}
