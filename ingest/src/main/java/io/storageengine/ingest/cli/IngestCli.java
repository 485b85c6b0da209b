package io.storageengine.ingest.cli;

import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.decode.FrameSink;
import io.storageengine.ingest.decode.WalDecoder;
import io.storageengine.ingest.source.StreamSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ingest command line (main class used by {@code ./se ingest}, {@code ./se walgen}, {@code ./se status}).
 *
 * <pre>
 * publish --tenant T --timeline L [--bootstrap B] [--topic wal] FILE | - | --listen PORT
 * walgen [options] [--out FILE|-]
 * topic-status [--bootstrap B] [--topic wal] [--json]
 * decode [--summary-json] FILE | -       (check a stream without Kafka)
 * bench [--bytes 1G] [--images]           (decoder throughput in memory)
 * </pre>
 *
 * Exit status: 0 ok (corrupt, reserved and rejected frames are skipped and counted, not errors);
 * 1 stream error (LSN regression, truncated tail, read error); 2 usage error; 3 publish failure
 * (Kafka unreachable, fenced by another publisher of the timeline). Stateless; one command per process.
 */
public final class IngestCli {
    static final String USAGE = "usage: IngestCli <command> [options]\n\n  " + PublishCommand.USAGE.replace("\n", "\n  ")
            + "\n  " + WalgenCommand.USAGE.replace("\n", "\n  ") + "\n  " + TopicStatusCommand.USAGE
            + "\n  decode [--summary-json] FILE | -\n  " + BenchCommand.USAGE + "\n\nexit status: 0 ok, 1 stream error (LSN regression, truncated tail,"
            + " read error), 2 usage, 3 publish failure (Kafka unreachable, fenced)";

    private IngestCli() {
    }

    public static void main(String[] args) {
        useOwnLoggingConfig();
        io.storageengine.runtime.logging.JulToSlf4j.install(); // the admin server (Helidon) logs through JUL
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Points log4j at this module's log4j2.xml unless the user chose a file: a test jar on a wide
     * classpath (e.g. one built with test scope) could otherwise bring a log4j2-test.xml that wins.
     */
    private static void useOwnLoggingConfig() {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            java.net.URL own = IngestCli.class.getResource("/log4j2.xml");
            if (own != null) {
                System.setProperty("log4j2.configurationFile", own.toString());
            }
        }
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "publish" -> PublishCommand.run(args, out, err);
                case "walgen" -> WalgenCommand.run(args, err);
                case "topic-status" -> TopicStatusCommand.run(args, out, err);
                case "decode" -> decode(args, out);
                case "bench" -> BenchCommand.run(args, out);
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            err.println("ingest: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("ingest: " + e);
            return 1;
        }
    }

    private static int decode(String[] argv, PrintStream out) throws IOException {
        Args a = new Args(argv, 1, Set.of(), Set.of("summary-json"));
        if (a.positional().size() != 1) {
            throw new UsageException("decode needs one input: FILE or -");
        }
        DecodeSummary[] result = new DecodeSummary[1];
        long t0 = System.nanoTime();
        try {
            StreamSource.of(a.positional().get(0)).run((name, in) -> {
                result[0] = WalDecoder.unpooled(FrameSink.discarding()).decodeAll(in);
                return true;
            });
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + e.getFile());
        }
        DecodeSummary s = result[0];
        int code = s.complete() ? 0 : 1;
        double secs = (System.nanoTime() - t0) / 1e9;
        if (a.has("summary-json")) {
            Map<String, Object> m = new LinkedHashMap<>(s.toMap());
            m.put("seconds", secs);
            m.put("exit", code);
            out.println(Json.line(m));
        } else {
            out.printf("decode: %s seconds=%.2f MB/s=%.0f exit=%d%n", s.toLine(), secs, s.bytes() / 1e6 / secs, code);
        }
        return code;
    }
}
