package io.storageengine.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.Lsn;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input at scale (issue 11, part 6): {@code se.fuzz.frames} (default 1,000,000) generated frames,
 * a quarter of them mutated ({@link MutatedWalStream}), through {@link WalDecoder} in random chunk
 * sizes, stream by stream, each compared with the independent reading of {@link ReferenceWalParser}:
 * the same frames delivered byte for byte in order, the same rejections and skips with their LSNs,
 * the same counts of corrupt runs, skipped bytes and truncated tail, the same stop on an LSN regression
 * (error naming both LSNs); every unmutated frame before a stop is seen; nothing but the documented
 * results comes out (any exception fails, with the seed). Seed: {@code se.fuzz.seed} (printed on failure).
 * Memory: the decoder's buffer is fixed, and headers claiming huge payloads allocate nothing proportional.
 */
class WalDecoderFuzzTest {
    private static final long SEED = Long.getLong("se.fuzz.seed", 0x5EED_2026_1202L);
    private static final int FRAMES = Integer.getInteger("se.fuzz.frames", 1_000_000);
    private static final int FRAMES_PER_STREAM = 2_000;

    @Test
    void mutatedFramesDecodeAsTheReferenceReadingSays() {
        long frames = 0, streams = 0, mutations = 0, delivered = 0, regressions = 0, corrupt = 0, bytes = 0;
        Random seeds = new Random(SEED);
        while (frames < FRAMES) {
            long seed = seeds.nextLong();
            int n = (int) Math.min(FRAMES_PER_STREAM, FRAMES - frames);
            try {
                MutatedWalStream s = new MutatedWalStream(new Random(seed)).write(n, streams % 10 == 3);
                ReferenceWalParser.Result want = ReferenceWalParser.parse(s.buf, s.size);
                DecodeSummary got = decode(s.buf, s.size, want, new Random(seed ^ 0x9E3779B97F4A7C15L));
                compare(got, want, s);
                mutations += s.mutations;
                delivered += want.delivered();
                corrupt += want.corruptRuns();
                regressions += want.regression() ? 1 : 0;
                bytes += s.size;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("fuzz failure in stream " + streams + " (stream seed " + seed + ", run seed " + SEED
                        + "; rerun with -Dse.fuzz.seed=" + SEED + "): " + e, e);
            }
            frames += n;
            streams++;
        }
        System.out.printf("WalDecoderFuzzTest: seed %d, %d frames in %d streams (%d MB), %d mutations, %d delivered, "
                + "%d corrupt runs, %d streams stopped by an LSN regression%n", SEED, frames, streams, bytes >> 20,
                mutations, delivered, corrupt, regressions);
        assertThat(frames).isEqualTo(FRAMES);
        assertThat(regressions).as("some streams exercise the LSN-regression stop").isPositive();
        assertThat(corrupt).isGreaterThan(frames / 20);
    }

    /** Feeds the stream in random chunks; the sink checks each event against the model as it comes. */
    private static DecodeSummary decode(byte[] s, int n, ReferenceWalParser.Result want, Random r) {
        List<ReferenceWalParser.Event> events = want.events();
        int[] next = {0};
        FrameSink sink = new FrameSink() {
            @Override
            public void accept(Frame frame, ByteBuffer bytes) {
                ReferenceWalParser.Event e = expect(ReferenceWalParser.Kind.DELIVER, frame.lsn());
                byte[] a = bytes.array();
                int from = bytes.arrayOffset() + bytes.position();
                if (bytes.remaining() != e.length()
                        || !Arrays.equals(a, from, from + e.length(), s, e.offset(), e.offset() + e.length())) {
                    throw new AssertionError("delivered frame at LSN " + Lsn.format(frame.lsn())
                            + " differs from the stream's bytes at offset " + e.offset());
                }
            }

            @Override
            public void skipped(long lsn) {
                expect(ReferenceWalParser.Kind.SKIP, lsn);
            }

            @Override
            public void rejected(long lsn, String reason) {
                expect(ReferenceWalParser.Kind.REJECT, lsn);
                assertThat(reason).contains(Lsn.format(lsn));
            }

            private ReferenceWalParser.Event expect(ReferenceWalParser.Kind kind, long lsn) {
                assertThat(next[0]).as("more events than the model's %d", events.size()).isLessThan(events.size());
                ReferenceWalParser.Event e = events.get(next[0]++);
                if (e.kind() != kind || e.lsn() != lsn) {
                    throw new AssertionError("event " + (next[0] - 1) + ": got " + kind + " at LSN " + Lsn.format(lsn)
                            + ", the model says " + e.kind() + " at LSN " + Lsn.format(e.lsn()) + " (offset " + e.offset() + ")");
                }
                return e;
            }
        };
        WalDecoder d = WalDecoder.unpooled(sink);
        int p = 0;
        while (p < n && !d.stopped()) {
            int chunk = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(32);
                case 1 -> 1 + r.nextInt(4096);
                case 2 -> 1 + r.nextInt(256 * 1024);
                default -> n - p;
            };
            chunk = Math.min(chunk, n - p);
            d.feed(s, p, chunk);
            p += chunk;
        }
        DecodeSummary sum = d.finish();
        assertThat(next[0]).as("events delivered to the sink").isEqualTo(events.size());
        return sum;
    }

    private static void compare(DecodeSummary got, ReferenceWalParser.Result want, MutatedWalStream s) {
        assertThat(got.frames()).as("intact frames").isEqualTo(want.frames());
        assertThat(got.delivered()).as("delivered").isEqualTo(want.delivered());
        assertThat(got.rejected()).as("rejected").isEqualTo(want.rejected());
        assertThat(got.reservedSkipped()).as("reserved skipped").isEqualTo(want.reserved());
        assertThat(got.corruptFrames()).as("corrupt runs").isEqualTo(want.corruptRuns());
        assertThat(got.skippedBytes()).as("skipped bytes").isEqualTo(want.skippedBytes());
        assertThat(got.truncatedTailBytes()).as("truncated tail").isEqualTo(want.tail());
        assertThat(got.lastLsn()).as("last good LSN").isEqualTo(want.lastLsn());
        assertThat(got.stoppedOnError()).as("stopped on an LSN regression").isEqualTo(want.regression());
        if (want.regression()) {
            assertThat(got.error()).contains(Lsn.format(want.regressionLsn()), Lsn.format(want.lastLsn()));
        } else {
            assertThat(got.bytes()).isEqualTo(s.size);
        }
        // every unmutated frame before the stop was read as a frame (none swallowed by the corruption around it)
        int e = 0;
        List<ReferenceWalParser.Event> events = want.events();
        for (int i = 0; i < s.cleanCount && s.clean[i] < want.stopOffset(); i++) {
            while (e < events.size() && events.get(e).offset() < s.clean[i]) {
                e++;
            }
            if (e == events.size() || events.get(e).offset() != s.clean[i]) {
                throw new AssertionError("the unmutated frame at offset " + s.clean[i] + " was not read as a frame");
            }
        }
    }

    /**
     * Headers that lie about their length (1 MiB, the legal maximum, and far beyond it) make the
     * decoder wait or skip, never allocate for them: 20,000 lying headers claiming over 20 GB
     * between 20,000 valid frames cost the decoding thread no more allocation than the same stream
     * whose corrupt headers claim 64 bytes (the difference is under 1 MiB), and every valid frame
     * comes out.
     */
    @Test
    void lyingLengthsAllocateNothingProportional() {
        long[] claimed = {0};
        byte[] lying = headersBetweenFrames(i -> i % 100 == 0 ? (int) ReferenceWalParser.MAX_PAYLOAD
                : i % 2 == 1 ? -1 : (1 << 30) + i, claimed);
        byte[] honest = headersBetweenFrames(i -> 64, new long[1]);
        allocatedDecoding(honest); // warm-up: class loading, JIT, the first log lines
        long control = allocatedDecoding(honest);
        long lied = allocatedDecoding(lying);
        assertThat(claimed[0]).isGreaterThan(20L << 30);
        assertThat(lied).as("bytes allocated decoding lying headers (control: %d)", control).isLessThan(control + (1 << 20));
    }

    /** 20,000 x (a corrupt header claiming length(i), 64 zero bytes, a valid 30-byte LSN_ADVANCE). */
    private static byte[] headersBetweenFrames(java.util.function.IntUnaryOperator length, long[] claimed) {
        byte[] stream = new byte[20_000 * (21 + 64 + 30)];
        int p = 0;
        for (int i = 0; i < 20_000; i++) {
            int len = length.applyAsInt(i);
            MutatedWalStream.putInt(stream, p, ReferenceWalParser.MAGIC);
            MutatedWalStream.putLong(stream, p + 4, i);
            MutatedWalStream.putInt(stream, p + 12, len); // CRC left at 0: never valid
            p += 21 + 64;
            claimed[0] += Integer.toUnsignedLong(len);
            byte[] ok = MutatedWalStream.frame(1_000_000 + i, 0x03, new byte[9]);
            System.arraycopy(ok, 0, stream, p, ok.length);
            p += ok.length;
        }
        return stream;
    }

    private static long allocatedDecoding(byte[] stream) {
        long[] delivered = {0};
        WalDecoder d = WalDecoder.unpooled((frame, bytes) -> delivered[0]++);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int off = 0; off < stream.length; off += 8192) {
            d.feed(stream, off, Math.min(8192, stream.length - off));
        }
        DecodeSummary sum = d.finish();
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(delivered[0]).isEqualTo(20_000);
        assertThat(sum.corruptFrames()).isEqualTo(20_000);
        assertThat(sum.truncatedTailBytes()).isZero();
        return allocated;
    }
}
