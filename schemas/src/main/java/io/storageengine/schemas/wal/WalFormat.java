package io.storageengine.schemas.wal;

/**
 * Constants of the WAL frame format, version 1.1 ({@code spec/wal-format.md}).
 *
 * <pre>
 * offset size field
 *  0      4   magic   0x57414C31 ("WAL1")
 *  4      8   lsn     end-of-record LSN
 * 12      4   length  payload length, at most 1,048,576
 * 16      1   type    record type
 * 17      4   crc     CRC-32C of bytes 4..16 followed by the payload
 * 21      n   payload
 * </pre>
 * All integers big-endian, unsigned. The offsets are named here once; every reader uses them.
 */
public final class WalFormat {
    public static final int MAGIC = 0x57414C31;
    public static final int HEADER_SIZE = 21;
    public static final int MAX_PAYLOAD = 1_048_576;
    public static final int MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD;
    public static final int PAGE_SIZE = 8192;

    public static final int LSN_OFFSET = 4;
    public static final int LENGTH_OFFSET = 12;
    public static final int TYPE_OFFSET = 16;
    public static final int CRC_OFFSET = 17;

    private WalFormat() {
    }
}
