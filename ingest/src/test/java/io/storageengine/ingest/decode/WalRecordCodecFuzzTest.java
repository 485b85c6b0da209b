package io.storageengine.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.kafka.WalRecordCodec.Decoded;
import io.storageengine.schemas.kafka.WalRecordCodec.SkipReason;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.RecordType;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input at scale on the Kafka side (issue 11, part 6): {@code se.fuzz.frames} (default 1,000,000)
 * record values cut from {@link MutatedWalStream}s (exact frames, frames with bytes added or missing,
 * the garbage between frames) with right, mismatched, wrong-sized and null keys, through
 * {@link WalRecordCodec#decode} (what the page service and the compactor run on every record), each
 * compared with the reference reading: a value is a record only if it is exactly one valid frame; then
 * reserved types, key sizes, payload rules and key/PageRef agreement decide, per docs/wal-format.md.
 * Never an exception; the value's position is never moved. Seed: {@code se.fuzz.seed}.
 */
class WalRecordCodecFuzzTest {
    private static final long SEED = Long.getLong("se.fuzz.seed", 0x5EED_2026_1202L);
    private static final int VALUES = Integer.getInteger("se.fuzz.frames", 1_000_000);

    @Test
    void mutatedRecordsAreClassifiedAsTheReferenceReadingSays() {
        Random seeds = new Random(SEED);
        long values = 0, streams = 0;
        long[] outcomes = new long[4]; // page record, watermark, LSN advance, skipped
        while (values < VALUES) {
            long seed = seeds.nextLong();
            try {
                Random r = new Random(seed);
                MutatedWalStream s = new MutatedWalStream(r).write(2_000, false);
                List<ReferenceWalParser.Event> events = ReferenceWalParser.parse(s.buf, s.size).events();
                int gapStart = 0;
                for (int i = 0; i < events.size() && values < VALUES; i++) {
                    ReferenceWalParser.Event e = events.get(i);
                    if (e.offset() > gapStart) { // the corrupt bytes between two frames, as one value
                        check(s.buf, gapStart, e.offset() - gapStart, key(r, s.buf, gapStart), outcomes);
                        values++;
                    }
                    int len = switch (r.nextInt(10)) {
                        case 0 -> r.nextInt(e.length());                                   // cut short
                        case 1 -> Math.min(e.length() + 1 + r.nextInt(30), s.size - e.offset()); // bytes after
                        default -> e.length();
                    };
                    check(s.buf, e.offset(), len, key(r, s.buf, e.offset()), outcomes);
                    values++;
                    gapStart = e.offset() + e.length();
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("fuzz failure in stream " + streams + " (stream seed " + seed + "; rerun with -Dse.fuzz.seed="
                        + SEED + "): " + e, e);
            }
            streams++;
        }
        System.out.printf("WalRecordCodecFuzzTest: seed %d, %d values: %d page records, %d watermarks, %d LSN advances, %d skipped%n",
                SEED, values, outcomes[0], outcomes[1], outcomes[2], outcomes[3]);
        assertThat(Arrays.stream(outcomes).min().orElseThrow()).as("every outcome occurs").isPositive();
    }

    /** A key for the value at {@code off}: mostly the right one for its type, else wrong in one way. */
    private static byte[] key(Random r, byte[] s, int off) {
        int k = r.nextInt(20);
        if (k == 0) {
            return null;
        }
        if (k == 1) {
            byte[] b = new byte[r.nextInt(60)];
            r.nextBytes(b);
            return b;
        }
        byte[] timeline = new byte[TimelineKey.SIZE];
        r.nextBytes(timeline);
        boolean page = s.length - off > 21 + 17 && (s[off + 16] == 1 || s[off + 16] == 2);
        if (!page || k == 2) {
            return timeline;
        }
        byte[] key = Arrays.copyOf(timeline, 49);
        System.arraycopy(s, off + 21, key, 32, 17);
        if (k == 3) {
            key[32 + r.nextInt(17)] ^= 1; // another page
        }
        return key;
    }

    private static void check(byte[] s, int off, int len, byte[] key, long[] outcomes) {
        ByteBuffer value = ByteBuffer.wrap(s, off, len);
        Decoded got = WalRecordCodec.decode(key, value);
        Decoded want = model(s, off, len, key);
        boolean same = value.position() == off && value.limit() == off + len && switch (want) {
            case WalRecordCodec.PageRecord w -> got instanceof WalRecordCodec.PageRecord g && g.pageKey() == key
                    && g.lsn() == w.lsn() && g.type() == w.type() && g.payload().equals(w.payload());
            case WalRecordCodec.Watermark w -> w.equals(got);
            case WalRecordCodec.LsnAdvance w -> w.equals(got);
            case WalRecordCodec.Skipped w -> got instanceof WalRecordCodec.Skipped g && g.reason() == w.reason();
        };
        if (!same) {
            throw new AssertionError("value at offset " + off + " of " + len + " bytes, key "
                    + (key == null ? "null" : key.length + " bytes") + ": decoded " + got + ", the model says " + want
                    + " (value position " + value.position() + ", limit " + value.limit() + ")");
        }
        outcomes[switch (want) {
            case WalRecordCodec.PageRecord w -> 0;
            case WalRecordCodec.Watermark w -> 1;
            case WalRecordCodec.LsnAdvance w -> 2;
            case WalRecordCodec.Skipped w -> 3;
        }]++;
    }

    /** The spec's reading of one record, from {@link ReferenceWalParser}'s frame and payload rules. */
    private static Decoded model(byte[] s, int off, int len, byte[] key) {
        byte[] v = Arrays.copyOfRange(s, off, off + len);
        if (ReferenceWalParser.frameLength(v, 0, len) != len) {
            return skipped(SkipReason.CORRUPT_FRAME);
        }
        ReferenceWalParser.Event e = ReferenceWalParser.parse(v, len).events().get(0);
        long lsn = ReferenceWalParser.u64(v, 4);
        int type = v[16] & 0xFF;
        ByteBuffer payload = ByteBuffer.wrap(v, 21, len - 21);
        return switch (type) {
            case 0x01, 0x02 -> {
                if (key == null || key.length != 49) {
                    yield skipped(SkipReason.BAD_KEY);
                }
                if (e.kind() != ReferenceWalParser.Kind.DELIVER) {
                    yield skipped(SkipReason.BAD_RECORD);
                }
                if (!Arrays.equals(key, 32, 49, v, 21, 38)) {
                    yield skipped(SkipReason.KEY_MISMATCH);
                }
                yield new WalRecordCodec.PageRecord(key, lsn, type == 1 ? RecordType.PAGE_IMAGE : RecordType.PAGE_DELTA, payload);
            }
            case 0x03 -> new WalRecordCodec.LsnAdvance(lsn);
            case 0x10 -> key == null || key.length != 32 ? skipped(SkipReason.BAD_KEY)
                    : len != 21 ? skipped(SkipReason.BAD_RECORD)
                    : new WalRecordCodec.Watermark(TimelineKey.fromBytes(key), lsn);
            case 0x04 -> throw new IllegalStateException("the generator made a PG_RECORD");
            default -> skipped(SkipReason.RESERVED_TYPE);
        };
    }

    private static Decoded skipped(SkipReason reason) {
        return new WalRecordCodec.Skipped(reason, "");
    }

    /** A value that is a bare header claiming 1 MiB (or 4 GiB) is refused without allocating for the claim. */
    @Test
    void headersClaimingHugePayloadsAllocateNothingProportional() {
        byte[] max = MutatedWalStream.frame(7, 0x01, new byte[0]);
        MutatedWalStream.putInt(max, 12, (int) ReferenceWalParser.MAX_PAYLOAD);
        byte[] over = max.clone();
        MutatedWalStream.putInt(over, 12, -1);
        byte[] key = new byte[49];
        for (int i = 0; i < 1_000; i++) { // warm-up
            WalRecordCodec.decode(key, max);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            Decoded d = WalRecordCodec.decode(key, i % 2 == 0 ? max : over);
            if (!(d instanceof WalRecordCodec.Skipped sk) || sk.reason() != SkipReason.CORRUPT_FRAME) {
                throw new AssertionError("not a corrupt frame: " + d);
            }
        }
        long perCall = (mx.getCurrentThreadAllocatedBytes() - before) / 100_000;
        assertThat(perCall).as("bytes allocated per decode of a header claiming 1 MiB or 4 GiB").isLessThan(2_048);
    }
}
