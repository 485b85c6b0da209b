package io.storageengine.schemas.kafka;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The key of a record in the {@code wal} topic: a page key (49 bytes: tenant | timeline | PageRef)
 * for PAGE_IMAGE and PAGE_DELTA records, or a timeline key (32 bytes: tenant | timeline) for
 * WATERMARK records. Immutable.
 */
public record WalKey(TimelineKey timeline, PageRef page) {
    public WalKey {
        Objects.requireNonNull(timeline, "timeline");
    }

    public static WalKey of(PageKey key) {
        return new WalKey(key.timeline(), key.page());
    }

    public static WalKey watermark(TimelineKey timeline) {
        return new WalKey(timeline, null);
    }

    public boolean isWatermark() {
        return page == null;
    }

    public PageKey pageKey() {
        if (page == null) {
            throw new IllegalStateException("watermark key has no page");
        }
        return new PageKey(timeline, page);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(page == null ? TimelineKey.SIZE : PageKey.SIZE);
        timeline.write(b);
        if (page != null) {
            page.write(b);
        }
        return b.array();
    }

    /** @throws IllegalArgumentException unless the bytes are 32 or 49 long */
    public static WalKey fromBytes(byte[] bytes) {
        if (bytes == null || (bytes.length != TimelineKey.SIZE && bytes.length != PageKey.SIZE)) {
            throw new IllegalArgumentException("wal key must be " + TimelineKey.SIZE + " or " + PageKey.SIZE
                    + " bytes, got " + (bytes == null ? "null" : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        TimelineKey t = TimelineKey.read(b);
        return new WalKey(t, b.hasRemaining() ? PageRef.read(b) : null);
    }
}
