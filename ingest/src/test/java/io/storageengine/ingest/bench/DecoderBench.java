package io.storageengine.ingest.bench;

import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.decode.WalDecoder;
import io.storageengine.ingest.walgen.WalGen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Decoder throughput: one thread decodes a 1 GiB in-memory walgen stream (fed in 1 MiB chunks, as a
 * source would read) through {@link WalDecoder}: CRC check, LSN checks, payload validation and a
 * zero-copy frame handed to a sink. {@code mix}: walgen's default record mix (30% images), or
 * {@code images} (8 KiB page images only, the bulk of real WAL bytes).
 *
 * <p>Run: {@code java -cp <test classpath> io.storageengine.ingest.bench.DecoderBench} (prints GB/s),
 * or through JMH's own main for other options. Not thread-safe (JMH state per benchmark thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class DecoderBench {
    static final long STREAM_BYTES = 1L << 30;
    static final int CHUNK = 1 << 20;

    @Param({"mix", "images"})
    public String records;

    private byte[] stream;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        WalGen.Builder b = WalGen.builder().seed(42).relations(16).pagesPerRelation(4096).bytes(STREAM_BYTES);
        if (records.equals("images")) {
            b.imageRatio(1.0).lsnAdvanceRatio(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) STREAM_BYTES + (1 << 20));
        b.build().writeTo(out);
        stream = out.toByteArray();
    }

    @Benchmark
    public DecodeSummary decode1GiB(Blackhole bh) {
        WalDecoder d = WalDecoder.unpooled((frame, bytes) -> bh.consume(frame));
        for (int off = 0; off < stream.length; off += CHUNK) {
            d.feed(stream, off, Math.min(CHUNK, stream.length - off));
        }
        DecodeSummary s = d.finish();
        if (!s.complete() || s.corruptFrames() != 0) {
            throw new IllegalStateException("unexpected: " + s.toLine());
        }
        return s;
    }

    public static void main(String[] args) throws RunnerException {
        OptionsBuilder o = new OptionsBuilder();
        o.include(DecoderBench.class.getSimpleName());
        if (args.length > 0) {
            o.param("records", args);
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        for (RunResult r : results) {
            double ms = r.getPrimaryResult().getScore();
            System.out.printf("DecoderBench records=%s: %.0f ms per 1 GiB = %.2f GB/s (%.2f GiB/s)%n",
                    r.getParams().getParam("records"), ms, STREAM_BYTES / 1e9 / (ms / 1e3), 1.0 / (ms / 1e3));
        }
    }
}
