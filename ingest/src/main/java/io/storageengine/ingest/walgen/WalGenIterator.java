package io.storageengine.ingest.walgen;

import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The generator behind {@link WalGen}: produces items one at a time from a seeded
 * {@link SplittableRandom}, so memory stays at one frame (plus a garbage run) whatever the length.
 * Not thread-safe.
 */
final class WalGenIterator implements Iterator<WalGen.Item> {
    private final WalGenConfig c;
    private final SplittableRandom rnd;
    private final long pages;

    private long lsn;
    private boolean started;
    private int groupLeft;       // frames left in the current LSN group
    private boolean advanceGroup;
    private long groupFirstPage;
    private int groupIndex;

    private long framesOut;
    private long bytesOut;
    private boolean done;
    private WalGen.Item pending;

    WalGenIterator(WalGenConfig config) {
        this.c = config;
        this.rnd = new SplittableRandom(config.seed());
        this.pages = config.pages();
    }

    @Override
    public boolean hasNext() {
        return pending != null || !done;
    }

    @Override
    public WalGen.Item next() {
        if (pending != null) {
            WalGen.Item p = pending;
            pending = null;
            return count(p);
        }
        if (done) {
            throw new NoSuchElementException();
        }
        WalGen.Item frame = nextFrame();
        framesOut++;
        boolean last = (c.maxRecords() > 0 && framesOut >= c.maxRecords())
                || (c.maxBytes() > 0 && bytesOut + frame.bytes().length >= c.maxBytes());
        if (last) {
            done = true;
            if (c.truncateTail() && frame.bytes().length > 1) {
                byte[] cut = new byte[1 + rnd.nextInt(frame.bytes().length - 1)];
                System.arraycopy(frame.bytes(), 0, cut, 0, cut.length);
                frame = new WalGen.Item(WalGen.Kind.TRUNCATED_FRAME, cut, frame.lsn(), frame.typeCode(), frame.page());
            }
        }
        if (c.garbageRate() > 0 && rnd.nextDouble() < c.garbageRate()) {
            pending = frame;
            byte[] g = new byte[1 + rnd.nextInt(c.maxGarbageLength())];
            rnd.nextBytes(g);
            return count(new WalGen.Item(WalGen.Kind.GARBAGE, g, 0, 0, null));
        }
        return count(frame);
    }

    private WalGen.Item count(WalGen.Item item) {
        bytesOut += item.bytes().length;
        return item;
    }

    private WalGen.Item nextFrame() {
        if (groupLeft == 0) {
            lsn = started ? lsn + c.lsnStep() : c.startLsn();
            started = true;
            advanceGroup = c.lsnAdvanceRatio() > 0 && rnd.nextDouble() < c.lsnAdvanceRatio();
            groupLeft = advanceGroup ? 1 : c.pagesPerLsn();
            groupFirstPage = rnd.nextLong(pages);
            groupIndex = 0;
        }
        groupLeft--;
        WalGen.Item item;
        if (c.reservedRate() > 0 && rnd.nextDouble() < c.reservedRate()) {
            int code = rnd.nextBoolean() ? 0x05 + rnd.nextInt(11) : 0x11 + rnd.nextInt(0xEF);
            byte[] payload = new byte[rnd.nextInt(64)];
            rnd.nextBytes(payload);
            item = new WalGen.Item(WalGen.Kind.RESERVED, FrameCodec.encode(lsn, code, ByteBuffer.wrap(payload)), lsn, code, null);
        } else if (advanceGroup) {
            byte[] payload = new byte[8 + rnd.nextInt(24)];
            rnd.nextBytes(payload);
            item = new WalGen.Item(WalGen.Kind.LSN_ADVANCE, FrameCodec.encode(lsn, RecordType.LSN_ADVANCE, payload), lsn,
                    RecordType.LSN_ADVANCE.code(), null);
        } else {
            long p = (groupFirstPage + groupIndex++) % pages;
            PageRef ref = new PageRef(c.spcOid(), c.dbOid(), c.firstRelNumber() + (int) (p / c.pagesPerRelation()), 0,
                    (int) (p % c.pagesPerRelation()));
            item = pageRecord(ref);
        }
        if (c.flipRate() > 0 && rnd.nextDouble() < c.flipRate()) {
            byte[] b = item.bytes();
            b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            item = new WalGen.Item(WalGen.Kind.CORRUPTED_FRAME, b, item.lsn(), item.typeCode(), item.page());
        }
        return item;
    }

    private WalGen.Item pageRecord(PageRef ref) {
        if (c.badRecordRate() > 0 && rnd.nextDouble() < c.badRecordRate()) {
            ByteBuffer payload = ByteBuffer.allocate(PageRef.SIZE + rnd.nextInt(WalFormat.PAGE_SIZE));
            ref.write(payload);
            return new WalGen.Item(WalGen.Kind.BAD_RECORD, FrameCodec.encode(lsn, RecordType.PAGE_IMAGE, payload.array()),
                    lsn, RecordType.PAGE_IMAGE.code(), ref);
        }
        boolean image = rnd.nextDouble() < c.imageRatio();
        byte[] payload = image ? imagePayload(ref) : deltaPayload(ref);
        RecordType type = image ? RecordType.PAGE_IMAGE : RecordType.PAGE_DELTA;
        return new WalGen.Item(WalGen.Kind.PAGE_RECORD, FrameCodec.encode(lsn, type, payload), lsn, type.code(), ref);
    }

    /** PageRef | a page-like image: header with the LSN, a zero hole, random tuple bytes at the end. */
    private byte[] imagePayload(PageRef ref) {
        byte[] payload = new byte[PageRecords.IMAGE_PAYLOAD_SIZE];
        ByteBuffer b = ByteBuffer.wrap(payload);
        ref.write(b);
        int page = PageRef.SIZE;
        int upper = 3072 + rnd.nextInt(4096);
        b.putLong(page, lsn);
        b.putShort(page + 12, (short) 64);
        b.putShort(page + 14, (short) upper);
        b.putShort(page + 16, (short) WalFormat.PAGE_SIZE);
        b.putShort(page + 18, (short) 0x2004);
        for (int i = page + upper; i + 8 <= payload.length; i += 8) {
            b.putLong(i, rnd.nextLong());
        }
        return payload;
    }

    /** PageRef | u16 count | count × (u16 offset, u16 len, bytes), each patch inside the page. */
    private byte[] deltaPayload(PageRef ref) {
        int count = 1 + rnd.nextInt(c.patchesPerDelta());
        int[] offs = new int[count];
        int[] lens = new int[count];
        int size = PageRef.SIZE + 2;
        for (int i = 0; i < count; i++) {
            lens[i] = 1 + rnd.nextInt(c.maxPatchLength());
            offs[i] = rnd.nextInt(WalFormat.PAGE_SIZE - lens[i] + 1);
            size += 4 + lens[i];
        }
        byte[] payload = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(payload);
        ref.write(b);
        b.putShort((short) count);
        for (int i = 0; i < count; i++) {
            b.putShort((short) offs[i]).putShort((short) lens[i]);
            byte[] data = new byte[lens[i]];
            rnd.nextBytes(data);
            b.put(data);
        }
        return payload;
    }
}
