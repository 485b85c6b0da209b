package io.storageengine.postgres.redo.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.storageengine.postgres.redo.PgRedoEngine;
import io.storageengine.postgres.redo.RedoBenchFixture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Redo of a chain of 8 PostgreSQL heap records after an image, as a page read does it: copy the
 * image, then decode and apply 8 real Heap/INSERT records (a record captured from PostgreSQL 15,
 * its offset patched to 8 consecutive free slots) through the adapter entry point
 * {@link PgRedoEngine#apply(byte[], ByteBuffer, int, boolean, long)}. The goal for the
 * whole GetPage is p95 below 100 µs; this measures the redo share.
 *
 * <p>Run: {@code java -cp <test classpath> io.storageengine.postgres.redo.bench.RedoChainBench}.
 * JMH state per benchmark thread; not thread-safe otherwise.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RedoChainBench {

    private final PgRedoEngine engine = new PgRedoEngine();
    private RedoBenchFixture.Chain chain;

    @Setup(Level.Trial)
    public void load() throws IOException {
        try (InputStream in = RedoChainBench.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            chain = RedoBenchFixture.heapInsertChain(in, 8);
        }
    }

    /** The same-run baseline for regression checks: copying the image alone. */
    @Benchmark
    public byte[] copyImageBaseline() {
        return chain.image().clone();
    }

    @Benchmark
    public byte[] imagePlus8HeapInserts() {
        byte[] page = chain.image().clone();
        for (int i = 0; i < chain.records().length; i++) {
            engine.apply(page, ByteBuffer.wrap(chain.records()[i]), chain.blockId(), false, chain.endLsns()[i]);
        }
        return page;
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(RedoChainBench.class.getSimpleName()).build()).run();
    }
}
