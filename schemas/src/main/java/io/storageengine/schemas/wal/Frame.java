package io.storageengine.schemas.wal;

import java.nio.ByteBuffer;

/**
 * One decoded WAL frame: its LSN, its type code and a read-only view of its payload.
 *
 * <p>The payload is a view into the buffer the frame was decoded from (zero copy): it is valid
 * only as long as that buffer's bytes are not reused. Call {@link #payloadBytes()} to keep a copy.
 */
public record Frame(long lsn, int typeCode, ByteBuffer payload) {

    /** The record type, or {@code null} for a reserved code. */
    public RecordType type() {
        return RecordType.of(typeCode);
    }

    public Lsn lsnValue() {
        return new Lsn(lsn);
    }

    public int payloadLength() {
        return payload.remaining();
    }

    public byte[] payloadBytes() {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }

    /** The complete frame bytes (header + payload), re-encoded. */
    public byte[] toBytes() {
        return FrameCodec.encode(lsn, typeCode, payload.duplicate());
    }
}
