package io.storageengine.segments.segment;

import java.nio.ByteBuffer;

/**
 * The fixed-size footer at the end of every segment file (format version 1, big-endian):
 *
 * <pre>
 *   0  u32  format version (1)
 *   4  u8   kind (0 DELTA, 1 IMAGE)
 *   5  u8   level
 *   6  u16  reserved (0)
 *   8  i32  Kafka partition (-1 if none)
 *  12  u32  block count
 *  16  u64  record count
 *  24  u64  min LSN
 *  32  u64  max LSN
 *  40  57   min key (first record's VersionKey)
 *  97  57   max key (last record's VersionKey)
 * 154  u64  index offset
 * 162  u32  index length
 * 166  u64  filter offset (= index offset + index length)
 * 174  u32  filter length (filter offset + filter length = footer offset)
 * 178  u32  CRC-32C of index bytes, then filter bytes, then footer bytes 0..177
 * 182  u64  magic 0x5345474D454E5431 ("SEGMENT1")
 * 190       end of file
 * </pre>
 * Immutable value; package-private codec.
 */
record Footer(int formatVersion, int kindCode, int level, int partition, int blockCount, long recordCount,
              long minLsn, long maxLsn, byte[] minKey, byte[] maxKey,
              long indexOffset, int indexLength, long filterOffset, int filterLength) {

    static final int SIZE = 190;
    static final int CHECKSUM_POS = 178;
    static final int MAGIC_POS = 182;
    static final long MAGIC = 0x5345474D454E5431L;
    static final int FORMAT_VERSION = 1;

    /** Writes footer bytes 0..177 (everything the checksum covers). */
    void encodeBody(ByteBuffer out) {
        out.putInt(formatVersion).put((byte) kindCode).put((byte) level).putShort((short) 0)
                .putInt(partition).putInt(blockCount).putLong(recordCount).putLong(minLsn).putLong(maxLsn)
                .put(minKey).put(maxKey)
                .putLong(indexOffset).putInt(indexLength).putLong(filterOffset).putInt(filterLength);
    }

    static Footer decode(ByteBuffer in, int keySize) {
        int version = in.getInt();
        int kind = in.get() & 0xFF;
        int level = in.get() & 0xFF;
        in.getShort();
        int partition = in.getInt();
        int blocks = in.getInt();
        long records = in.getLong();
        long minLsn = in.getLong();
        long maxLsn = in.getLong();
        byte[] minKey = new byte[keySize];
        byte[] maxKey = new byte[keySize];
        in.get(minKey).get(maxKey);
        return new Footer(version, kind, level, partition, blocks, records, minLsn, maxLsn, minKey, maxKey,
                in.getLong(), in.getInt(), in.getLong(), in.getInt());
    }
}
