package io.storageengine.pageservice.topology;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds {@code wal} topic records (49-byte key + one frame) for tests and records what they mean
 * in a {@link ReferenceModel}. Deterministic for a seed. Not thread-safe.
 */
public final class SyntheticWal {
    /** One Kafka record of the wal topic. */
    public record Event(byte[] key, byte[] value, long lsn) {
    }

    private final ReferenceModel model = new ReferenceModel();
    private final List<Event> events = new ArrayList<>();
    private final Random random;
    private long lsn;

    public SyntheticWal(long seed, long firstLsn) {
        this.random = new Random(seed);
        this.lsn = firstLsn;
    }

    public ReferenceModel model() {
        return model;
    }

    public List<Event> events() {
        return events;
    }

    /** Takes the events produced so far (for piping in steps). */
    public List<Event> drain() {
        List<Event> out = List.copyOf(events);
        events.clear();
        return out;
    }

    public long lsn() {
        return lsn;
    }

    /** Moves the LSN forward by 1..maxStep and returns it. */
    public long nextLsn(int maxStep) {
        lsn += 1 + random.nextInt(maxStep);
        return lsn;
    }

    public static PageKey page(TimelineKey t, int rel, int block) {
        return new PageKey(t, new PageRef(1663, 5, rel, 0, block));
    }

    public byte[] randomPage() {
        byte[] p = new byte[8192];
        random.nextBytes(p);
        return p;
    }

    public Event image(PageKey key, long atLsn) {
        byte[] page = randomPage();
        model.image(key, atLsn, page);
        return add(key.toBytes(), FrameCodec.encode(atLsn, RecordType.PAGE_IMAGE, PagePayloads.image(key.page(), page)),
                atLsn);
    }

    public Event delta(PageKey key, long atLsn) {
        int n = 1 + random.nextInt(4);
        List<ReferenceModel.Patch> patches = new ArrayList<>();
        List<io.storageengine.schemas.page.Patch> wire = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = random.nextInt(200);
            int off = random.nextInt(8192 - len + 1);
            byte[] d = new byte[len];
            random.nextBytes(d);
            patches.add(new ReferenceModel.Patch(off, d));
            wire.add(new io.storageengine.schemas.page.Patch(off, d));
        }
        model.delta(key, atLsn, patches);
        return add(key.toBytes(), FrameCodec.encode(atLsn, RecordType.PAGE_DELTA, PagePayloads.delta(key.page(), wire)),
                atLsn);
    }

    /**
     * A PG_RECORD for block reference 0 of a minimal PostgreSQL record of resource manager
     * {@code rmgr} and info byte {@code info}, with {@code flags} (bit 0 WILL_INIT). Not in the
     * reference model (it cannot replay PostgreSQL records).
     */
    public Event pgRecord(PageKey key, long atLsn, int flags, int rmgr, int info) {
        return add(key.toBytes(), FrameCodec.encode(atLsn, RecordType.PG_RECORD,
                PagePayloads.pgRecord(key.page(), 0, flags, xlogRecord(key.page(), rmgr, info, (flags & 1) != 0))), atLsn);
    }

    /**
     * A well-formed PostgreSQL XLogRecord of resource manager {@code rmgr} and {@code info} whose
     * block reference 0 names {@code page} (no image, no block data; BKPBLOCK_WILL_INIT when
     * {@code willInit}) and whose main data is 4 bytes;
     * valid CRC-32C. The redo engine replays none of the resource managers that write no pages
     * (Transaction, Standby...): use those for a record it cannot replay.
     */
    public static java.nio.ByteBuffer xlogRecord(io.storageengine.schemas.page.PageRef page, int rmgr, int info,
            boolean willInit) {
        int len = 24 + 4 + 12 + 4 + 2 + 4;
        java.nio.ByteBuffer rec = java.nio.ByteBuffer.allocate(len).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        rec.putInt(len).putInt(1).putLong(0).put((byte) info).put((byte) rmgr).putShort((short) 0).putInt(0);
        rec.put((byte) 0).put((byte) (page.forkNum() | (willInit ? 0x40 : 0))).putShort((short) 0);
        rec.putInt(page.spcOid()).putInt(page.dbOid()).putInt(page.relNumber()).putInt(page.blockNum());
        rec.put((byte) 255).put((byte) 4).putInt(7);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(rec.array(), 24, len - 24);
        crc.update(rec.array(), 0, 20);
        rec.putInt(20, (int) crc.getValue());
        return rec.flip();
    }

    public Event watermark(TimelineKey t, long atLsn) {
        return add(t.toBytes(), FrameCodec.encode(atLsn, RecordType.WATERMARK, new byte[0]), atLsn);
    }

    /** {@code records} page records over {@code pages} blocks, images with probability {@code imageP}, a watermark every {@code watermarkEvery}. */
    public void randomRun(TimelineKey t, int pages, int records, double imageP, int watermarkEvery) {
        for (int i = 1; i <= records; i++) {
            PageKey key = page(t, 100, random.nextInt(pages));
            long at = nextLsn(64);
            if (random.nextDouble() < imageP) {
                image(key, at);
            } else {
                delta(key, at);
            }
            if (i % watermarkEvery == 0) {
                watermark(t, at);
            }
        }
    }

    /** Appends a frame as given (for benchmarks building their own records). */
    public Event add(byte[] key, byte[] value, long atLsn) {
        Event e = new Event(key, value, atLsn);
        events.add(e);
        return e;
    }
}
