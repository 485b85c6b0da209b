package io.storageengine.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return IngestCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown command").contains("usage");
    }

    @Test
    void publishWithoutTimelineIsAUsageError() {
        assertThat(run("publish", "--tenant", "11111111111111111111111111111111", "-")).isEqualTo(2);
        assertThat(err.toString()).contains("--timeline is required");
    }

    @Test
    void aMalformedIdIsAUsageError() {
        assertThat(run("publish", "--tenant", "xyz", "--timeline", "22222222222222222222222222222222", "-")).isEqualTo(2);
        assertThat(err.toString()).contains("malformed tenant id");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(run("walgen", "--colour", "red")).isEqualTo(2);
    }

    @Test
    void walgenThenDecodeReportsAStreamErrorForATruncatedTail(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.wal");
        assertThat(run("walgen", "--records", "500", "--seed", "3", "--flip-rate", "0.05", "--truncate-tail",
                "--tenant", "ignored", "--out", f.toString())).isZero();
        assertThat(Files.size(f)).isPositive();
        assertThat(err.toString()).contains("walgen: bytes=" + Files.size(f));
        assertThat(run("decode", "--summary-json", f.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("\"truncated_tail_bytes\":").contains("\"exit\":1").contains("\"corrupt\":");
    }

    @Test
    void aCleanStreamDecodesWithExitZero(@TempDir Path dir) {
        Path f = dir.resolve("w.wal");
        assertThat(run("walgen", "--bytes", "2M", "--out", f.toString())).isZero();
        assertThat(run("decode", f.toString())).isZero();
        assertThat(out.toString()).contains("truncated_tail_bytes=0").contains("corrupt=0").contains("exit=0");
    }

    @Test
    void pacedWalgenWritesTheSameStream(@TempDir Path dir) throws Exception {
        Path fast = dir.resolve("fast.wal");
        Path paced = dir.resolve("paced.wal");
        assertThat(run("walgen", "--bytes", "512K", "--seed", "5", "--out", fast.toString())).isZero();
        assertThat(run("walgen", "--bytes", "512K", "--seed", "5", "--bytes-per-second", "4M", "--out", paced.toString()))
                .isZero();
        assertThat(Files.readAllBytes(paced)).isEqualTo(Files.readAllBytes(fast));
        assertThat(run("walgen", "--bytes", "1K", "--bytes-per-second", "-1")).isEqualTo(2);
    }

    @Test
    void benchDecodesAnInMemoryStreamAndReportsThroughput() {
        assertThat(run("bench", "--bytes", "4M", "--rounds", "1", "--images")).isZero();
        assertThat(out.toString()).contains("bench: round 1:").contains("GB/s");
    }

    @Test
    void sizesAcceptSuffixes() {
        assertThat(Args.parseSize("x", "10G")).isEqualTo(10L << 30);
        assertThat(Args.parseSize("x", "512MiB")).isEqualTo(512L << 20);
        assertThat(Args.parseSize("x", "1_000")).isEqualTo(1000);
    }

    @Test
    void postgresSourceOptionsAreChecked(@TempDir Path dir) {
        String t = "11111111111111111111111111111111";
        String l = "22222222222222222222222222222222";
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-wal", dir.resolve("none").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a directory");
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-wal", dir.toString(), "-")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-wal", dir.toString(), "--start-lsn", "zz")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-wal", dir.toString(), "--start-lsn", "0/200",
                "--end-lsn", "0/100")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--start-lsn", "0/100", "-")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--slot", "s", "-")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-url", "mysql://x/y")).isEqualTo(2);
        assertThat(run("publish", "--tenant", t, "--timeline", l, "--pg-url", "postgresql://a@h/db", "--create-slot"))
                .isEqualTo(2);
    }

    @Test
    void pgUrlParsesUserPasswordHostPortAndDatabase() {
        var target = io.storageengine.ingest.pgwal.PgReplicationSource.Target.parse(
                "postgresql://se:p%40ss@10.0.0.5:6543/app?sslmode=disable");
        assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://10.0.0.5:6543/app?sslmode=disable");
        assertThat(target.user()).isEqualTo("se");
        assertThat(target.password()).isEqualTo("p@ss");
        assertThat(target.display()).doesNotContain("p@ss");
        var defaults = io.storageengine.ingest.pgwal.PgReplicationSource.Target.parse("postgresql://h");
        assertThat(defaults.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/postgres");
    }
}
