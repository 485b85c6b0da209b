package io.storageengine.ingest.cli;

import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.decode.WalDecoder;
import io.storageengine.ingest.walgen.WalGen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/**
 * {@code bench [--bytes 1G] [--images] [--rounds 5]}: a quick in-process decoder throughput check
 * (no JMH, no Kafka): generates a walgen stream in memory, then decodes it on one thread several
 * times and prints GB/s per round. The JMH benchmark ({@code DecoderBench}, test sources) is the
 * reference; this one needs only the runtime classpath. Single-threaded.
 */
final class BenchCommand {
    static final String USAGE = "bench [--bytes 1G] [--images] [--rounds 5]   (decoder throughput, in memory)";

    private BenchCommand() {
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = new Args(argv, 1, Set.of("bytes", "rounds"), Set.of("images"));
        long bytes = a.getLong("bytes", 1L << 30);
        if (bytes <= 0 || bytes > Integer.MAX_VALUE - (1 << 20)) {
            throw new UsageException("--bytes must be between 1 and 2G");
        }
        WalGen.Builder b = WalGen.builder().seed(42).relations(16).pagesPerRelation(4096).bytes(bytes);
        if (a.has("images")) {
            b.imageRatio(1.0).lsnAdvanceRatio(0);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) bytes + (1 << 20));
        b.build().writeTo(buf);
        byte[] stream = buf.toByteArray();
        long[] frames = new long[1];
        for (int round = 1; round <= a.getInt("rounds", 5); round++) {
            long t0 = System.nanoTime();
            WalDecoder d = WalDecoder.unpooled((frame, view) -> frames[0] += frame.payloadLength());
            for (int off = 0; off < stream.length; off += 1 << 20) {
                d.feed(stream, off, Math.min(1 << 20, stream.length - off));
            }
            DecodeSummary s = d.finish();
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf("bench: round %d: %d frames, %.0f MB in %.3f s = %.2f GB/s%n", round, s.frames(), s.bytes() / 1e6,
                    secs, s.bytes() / 1e9 / secs);
        }
        return frames[0] > 0 ? 0 : 1;
    }
}
