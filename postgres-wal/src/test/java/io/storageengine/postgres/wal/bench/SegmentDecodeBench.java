package io.storageengine.postgres.wal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.postgres.wal.frame.PgRecordFrames;
import io.storageengine.schemas.page.PageRef;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decode throughput of real WAL segment files, one thread: page headers, record reassembly,
 * CRC-32C, record decoding ({@code decode}), and also PG_RECORD frame building ({@code frames}).
 * The same work {@code pg_waldump --stats} does in C, so the two compare on the same segments
 * ({@code scripts/bench-pgwal.sh} runs both, interleaved, and prints the ratio).
 *
 * <p>The segments: {@code -Dpgwal.bench.dir=DIR} (a copy of a pg_wal directory). Run:
 * {@code java -cp <test classpath> -Dpgwal.bench.dir=DIR io.storageengine.postgres.wal.bench.SegmentDecodeBench [passes]}
 * (timed passes after two warm-up passes: seconds per pass, records/s, MB/s), or through JMH's main
 * ({@code org.openjdk.jmh.Main SegmentDecodeBench -jvmArgsAppend -Dpgwal.bench.dir=DIR}).
 * Not thread-safe (JMH state per benchmark thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class SegmentDecodeBench {

    @Param({"decode", "frames"})
    public String work;

    /** One pass over the directory; returns {records, record bytes}. */
    static long[] pass(Path dir, boolean frames, Blackhole bh) throws IOException {
        long records = 0;
        long bytes = 0;
        PgRecordFrames builder = new PgRecordFrames();
        PgRecordFrames.Sink sink = new PgRecordFrames.Sink() {
            @Override
            public void frame(long lsn, PageRef page, byte[] frame) {
                if (bh != null) {
                    bh.consume(frame);
                }
            }

            @Override
            public void lsnAdvance(long lsn, DecodedRecord record) {
            }
        };
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            DecodedRecord d;
            while ((d = r.next()) != null) {
                records++;
                bytes += d.totalLength();
                if (frames) {
                    builder.emit(d, sink);
                } else if (bh != null) {
                    bh.consume(d);
                }
            }
        }
        return new long[] {records, bytes};
    }

    static Path dir() {
        String d = System.getProperty("pgwal.bench.dir");
        if (d == null || d.isBlank()) {
            throw new IllegalStateException("set -Dpgwal.bench.dir=DIR (a directory of PostgreSQL WAL segment files)");
        }
        return Path.of(d);
    }

    @Benchmark
    public long[] readDirectory(Blackhole bh) throws IOException {
        return pass(dir(), work.equals("frames"), bh);
    }

    /** Timed passes without JMH: prints one line per pass and the median. */
    public static void main(String[] args) throws IOException {
        Path dir = dir();
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean frames = args.length > 1 && args[1].equals("frames");
        long segBytes;
        try (Stream<Path> s = Files.list(dir)) {
            segBytes = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).mapToLong(p -> p.toFile().length()).sum();
        }
        for (int i = 0; i < 2; i++) {
            pass(dir, frames, null);
        }
        double[] secs = new double[passes];
        long[] last = null;
        for (int i = 0; i < passes; i++) {
            long t0 = System.nanoTime();
            last = pass(dir, frames, null);
            secs[i] = (System.nanoTime() - t0) / 1e9;
            System.out.printf("pass %d: %.3f s, %d records, %.0f records/s, %.0f MB/s of records, %.0f MB/s of segments%n",
                    i + 1, secs[i], last[0], last[0] / secs[i], last[1] / 1e6 / secs[i], segBytes / 1e6 / secs[i]);
        }
        Arrays.sort(secs);
        double median = secs[passes / 2];
        System.out.printf("median: %.3f s per pass, %d records, %.0f records/s, %.0f MB/s of records (%s)%n", median,
                last[0], last[0] / median, last[1] / 1e6 / median, frames ? "decode + frames" : "decode");
    }
}
