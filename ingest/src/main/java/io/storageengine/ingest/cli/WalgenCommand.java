package io.storageengine.ingest.cli;

import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.wal.Lsn;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code walgen [options] [--out FILE|-]}: writes a deterministic synthetic WAL stream (see {@link WalGen})
 * to a file or standard output, streaming with one record in memory; a summary per item kind on
 * stderr. {@code --tenant}/{@code --timeline} are accepted and ignored (the stream does not name them).
 */
final class WalgenCommand {
    static final String USAGE = """
            walgen [--seed N] [--relations N] [--pages-per-relation N] [--image-ratio F] [--patches-per-delta N]
                   [--max-patch-length N] [--lsn-advance-ratio F] [--pages-per-lsn N] [--start-lsn LSN] [--lsn-step N]
                   [--records N | --bytes N[K|M|G]] [--flip-rate F] [--garbage-rate F] [--max-garbage-length N]
                   [--reserved-rate F] [--bad-record-rate F] [--truncate-tail] [--out FILE|-]
                   [--bytes-per-second N[K|M|G]]   (paced output, a steady producer; default: as fast as possible)""";

    private WalgenCommand() {
    }

    static WalGen parse(Args a) {
        WalGen.Builder b = WalGen.builder()
                .seed(a.getLong("seed", 1))
                .relations(a.getInt("relations", 4))
                .pagesPerRelation(a.getInt("pages-per-relation", 256))
                .imageRatio(a.getDouble("image-ratio", 0.3))
                .patchesPerDelta(a.getInt("patches-per-delta", 4))
                .maxPatchLength(a.getInt("max-patch-length", 64))
                .lsnAdvanceRatio(a.getDouble("lsn-advance-ratio", 0.05))
                .pagesPerLsn(a.getInt("pages-per-lsn", 1))
                .lsnStep(a.getLong("lsn-step", 128))
                .records(a.getLong("records", 10_000))
                .flipRate(a.getDouble("flip-rate", 0))
                .garbageRate(a.getDouble("garbage-rate", 0))
                .maxGarbageLength(a.getInt("max-garbage-length", 512))
                .reservedRate(a.getDouble("reserved-rate", 0))
                .badRecordRate(a.getDouble("bad-record-rate", 0))
                .truncateTail(a.has("truncate-tail"));
        if (a.has("start-lsn")) {
            try {
                b.startLsn(Lsn.parse(a.require("start-lsn")).value());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (a.has("bytes")) {
            b.bytes(a.getLong("bytes", 0));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Holds the output to {@code bytesPerSecond} on average: when more than 20 ms ahead of that
     * rate, flushes what is buffered and sleeps until the bytes written are due.
     */
    private static void pace(OutputStream out, long written, long bytesPerSecond, long t0)
            throws IOException, InterruptedException {
        long dueNanos = (long) (written * 1e9 / bytesPerSecond);
        long ahead = dueNanos - (System.nanoTime() - t0);
        if (ahead > 20_000_000L) {
            out.flush();
            TimeUnit.NANOSECONDS.sleep(ahead);
        }
    }

    static int run(String[] argv, PrintStream err) throws IOException {
        Args a = new Args(argv, 1, Set.of("seed", "relations", "pages-per-relation", "image-ratio", "patches-per-delta",
                "max-patch-length", "lsn-advance-ratio", "pages-per-lsn", "start-lsn", "lsn-step", "records", "bytes",
                "flip-rate", "garbage-rate", "max-garbage-length", "reserved-rate", "bad-record-rate", "out", "tenant",
                "timeline", "bytes-per-second"), Set.of("truncate-tail"));
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positional().get(0));
        }
        WalGen gen = parse(a);
        long bytesPerSecond = a.getLong("bytes-per-second", 0);
        if (bytesPerSecond < 0) {
            throw new UsageException("--bytes-per-second must be >= 0 (0: as fast as possible), got " + bytesPerSecond);
        }
        String target = a.get("out", "-");
        Map<WalGen.Kind, long[]> counts = new EnumMap<>(WalGen.Kind.class);
        long total = 0;
        long t0 = System.nanoTime();
        OutputStream raw = "-".equals(target) ? new FileOutputStream(FileDescriptor.out) : new FileOutputStream(target);
        try (OutputStream out = new BufferedOutputStream(raw, 1 << 20)) {
            Iterator<WalGen.Item> it = gen.iterator();
            while (it.hasNext()) {
                WalGen.Item item = it.next();
                out.write(item.bytes());
                long[] c = counts.computeIfAbsent(item.kind(), k -> new long[2]);
                c[0]++;
                c[1] += item.bytes().length;
                total += item.bytes().length;
                if (bytesPerSecond > 0) {
                    pace(out, total, bytesPerSecond, t0);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("walgen: interrupted after " + total + " bytes");
            return 1;
        } catch (IOException e) {
            err.println("walgen: write failed after " + total + " bytes: " + e.getMessage());
            return 1;
        }
        StringBuilder sb = new StringBuilder("walgen: bytes=").append(total);
        counts.forEach((k, c) -> sb.append(' ').append(k.name().toLowerCase()).append('=').append(c[0]));
        sb.append(String.format(" seconds=%.1f", (System.nanoTime() - t0) / 1e9));
        err.println(sb);
        return 0;
    }
}
