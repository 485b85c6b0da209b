package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.WalFormat;

/** One patch of a PAGE_DELTA: {@code data} written at {@code offset} of the page. Immutable. */
public record Patch(int offset, byte[] data) {
    public Patch {
        if (offset < 0 || data.length > 0xFFFF || offset + data.length > WalFormat.PAGE_SIZE) {
            throw new IllegalArgumentException("patch (offset " + offset + ", len " + data.length + ") runs past the page");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
