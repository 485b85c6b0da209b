package io.storageengine.ingest.walgen;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Deterministic synthetic WAL stream generator: the same configuration always gives the same bytes.
 *
 * <pre>{@code
 * WalGen gen = WalGen.builder().seed(7).relations(2).pagesPerRelation(64).imageRatio(0.2)
 *         .records(10_000).flipRate(0.001).build();
 * for (WalGen.Item item : gen) {            // lazily generated, bounded memory
 *     if (item.isPublishedPageRecord()) { model.apply(item.frame()); }
 * }
 * InputStream in = gen.inputStream();       // the same stream as bytes
 * }</pre>
 *
 * <p>Content: pages {@code spc/db/(firstRel + r)/main/block} with images (a page-like layout: a header
 * with the LSN, zeros, then random "tuples", about 2× compressible) and deltas of a few random
 * patches; LSN_ADVANCE frames in between; {@code pagesPerLsn} distinct pages share each LSN. Optional
 * injected bad input: one flipped byte in a frame, garbage runs between frames, intact frames of a
 * reserved type, intact page records breaking the payload rules, and a truncated last frame.
 *
 * <p>Immutable and thread-safe; each {@link #iterator()} / {@link #inputStream()} is an independent
 * single-threaded generator holding one record at a time.
 */
public final class WalGen implements Iterable<WalGen.Item> {

    /** What a piece of the generated stream is. */
    public enum Kind {
        /** An intact, valid PAGE_IMAGE or PAGE_DELTA: ingest publishes it. */
        PAGE_RECORD,
        /** An intact LSN_ADVANCE frame. */
        LSN_ADVANCE,
        /** An intact frame of a reserved type: skipped and counted. */
        RESERVED,
        /** An intact PAGE_IMAGE whose payload breaks the rules: rejected and counted. */
        BAD_RECORD,
        /** A frame with one flipped byte: corrupt, skipped. */
        CORRUPTED_FRAME,
        /** Random bytes between frames: skipped. */
        GARBAGE,
        /** The last frame, cut short: the truncated tail. */
        TRUNCATED_FRAME
    }

    /**
     * One piece of the stream. {@code bytes} are exactly what the stream holds for it; for frames
     * {@code lsn} and {@code type} are those the frame was built with, {@code page} is set for page
     * records (also corrupted ones), {@code null} otherwise.
     */
    public record Item(Kind kind, byte[] bytes, long lsn, int typeCode, PageRef page) {

        public boolean isPublishedPageRecord() {
            return kind == Kind.PAGE_RECORD;
        }

        /** True if the decoder sees an intact frame here (its LSN counts). */
        public boolean isIntactFrame() {
            return kind == Kind.PAGE_RECORD || kind == Kind.LSN_ADVANCE || kind == Kind.RESERVED || kind == Kind.BAD_RECORD;
        }

        public RecordType type() {
            return RecordType.of(typeCode);
        }

        /** The decoded frame of an intact item. */
        public Frame frame() {
            if (!isIntactFrame()) {
                throw new IllegalStateException(kind + " is not an intact frame");
            }
            return FrameCodec.decodeExactly(bytes);
        }

        /** The 49-byte Kafka key of a page record for {@code timeline}. */
        public byte[] pageKey(TimelineKey timeline) {
            return new PageKey(timeline, page).toBytes();
        }
    }

    private final WalGenConfig config;

    private WalGen(WalGenConfig config) {
        this.config = config;
    }

    public static WalGen of(WalGenConfig config) {
        return new WalGen(config);
    }

    public static Builder builder() {
        return new Builder();
    }

    public WalGenConfig config() {
        return config;
    }

    @Override
    public Iterator<Item> iterator() {
        return new WalGenIterator(config);
    }

    public Stream<Item> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The stream as bytes, generated as it is read. */
    public InputStream inputStream() {
        return new WalGenInputStream(iterator());
    }

    /** Writes the whole stream; returns the number of bytes written. Does not close {@code out}. */
    public long writeTo(OutputStream out) throws IOException {
        long n = 0;
        Iterator<Item> it = iterator();
        while (it.hasNext()) {
            byte[] b = it.next().bytes();
            out.write(b);
            n += b.length;
        }
        out.flush();
        return n;
    }

    /** Builder with small, test-friendly defaults (4 relations × 256 pages, 30% images, 10,000 records). */
    public static final class Builder {
        private long seed = 1;
        private int relations = 4;
        private int pagesPerRelation = 256;
        private double imageRatio = 0.3;
        private int patchesPerDelta = 4;
        private int maxPatchLength = 64;
        private double lsnAdvanceRatio = 0.05;
        private int pagesPerLsn = 1;
        private long startLsn = 0x0100_0000L;
        private long lsnStep = 128;
        private long maxRecords = 10_000;
        private long maxBytes;
        private double flipRate;
        private double garbageRate;
        private int maxGarbageLength = 512;
        private double reservedRate;
        private double badRecordRate;
        private boolean truncateTail;
        private int spcOid = PageRef.DEFAULT_TABLESPACE;
        private int dbOid = 5;
        private int firstRelNumber = 16384;

        /** Seed of the pseudo-random generator: same seed, same stream. */
        public Builder seed(long v) { seed = v; return this; }
        public Builder relations(int v) { relations = v; return this; }
        public Builder pagesPerRelation(int v) { pagesPerRelation = v; return this; }
        /** Fraction of page records that are PAGE_IMAGE (the rest are PAGE_DELTA). */
        public Builder imageRatio(double v) { imageRatio = v; return this; }
        /** Maximum patches per delta (each delta has 1..this many). */
        public Builder patchesPerDelta(int v) { patchesPerDelta = v; return this; }
        public Builder maxPatchLength(int v) { maxPatchLength = v; return this; }
        /** Fraction of LSNs that carry an LSN_ADVANCE frame instead of page records. */
        public Builder lsnAdvanceRatio(double v) { lsnAdvanceRatio = v; return this; }
        /** Distinct pages per LSN (frames sharing one LSN, as a multi-page PostgreSQL record). */
        public Builder pagesPerLsn(int v) { pagesPerLsn = v; return this; }
        public Builder startLsn(long v) { startLsn = v; return this; }
        /** LSN distance between consecutive LSN groups. */
        public Builder lsnStep(long v) { lsnStep = v; return this; }
        /** Stop after this many frames (0: no count limit). */
        public Builder records(long v) { maxRecords = v; return this; }
        /** Stop once this many bytes are out (0: no byte limit). Setting it clears the record limit. */
        public Builder bytes(long v) { maxBytes = v; if (v > 0) { maxRecords = 0; } return this; }
        /** Probability that a frame gets one flipped byte (corrupt). */
        public Builder flipRate(double v) { flipRate = v; return this; }
        /** Probability that a garbage run precedes a frame. */
        public Builder garbageRate(double v) { garbageRate = v; return this; }
        public Builder maxGarbageLength(int v) { maxGarbageLength = v; return this; }
        /** Probability that a frame is an intact frame of a reserved type. */
        public Builder reservedRate(double v) { reservedRate = v; return this; }
        /** Probability that a page record is an intact PAGE_IMAGE with a bad payload length. */
        public Builder badRecordRate(double v) { badRecordRate = v; return this; }
        /** Cut the last frame short. */
        public Builder truncateTail(boolean v) { truncateTail = v; return this; }
        public Builder spcOid(int v) { spcOid = v; return this; }
        public Builder dbOid(int v) { dbOid = v; return this; }
        public Builder firstRelNumber(int v) { firstRelNumber = v; return this; }

        public WalGenConfig config() {
            return new WalGenConfig(seed, relations, pagesPerRelation, imageRatio, patchesPerDelta, maxPatchLength,
                    lsnAdvanceRatio, pagesPerLsn, startLsn, lsnStep, maxRecords, maxBytes, flipRate, garbageRate,
                    maxGarbageLength, reservedRate, badRecordRate, truncateTail, spcOid, dbOid, firstRelNumber);
        }

        public WalGen build() {
            return new WalGen(config());
        }
    }
}
