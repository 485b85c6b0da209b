package io.storageengine.testsupport.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command to completion with a timeout, optionally as another OS user (through
 * {@code runuser -u <user> --}, which needs root). Output (stdout and stderr merged) goes to a file,
 * never to a pipe: daemons started by the command (pg_ctl's postmaster) must not inherit a pipe of
 * this JVM, or the JVM's test runner would wait for them. Stateless; thread-safe.
 */
public final class Exec {

    /** Result of one command: exit code and its merged output (last 8 KiB). */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException("Command failed (exit " + exitCode + "): "
                        + String.join(" ", command) + "\n" + output);
            }
            return this;
        }
    }

    private static final int MAX_OUTPUT = 8192;

    private Exec() {
    }

    /** Runs {@code command} as {@code user} (null: as the current user) in {@code workDir}. */
    public static Result run(String user, List<String> command, Path workDir, Map<String, String> env,
                             Duration timeout) {
        List<String> full = new ArrayList<>();
        if (user != null) {
            full.addAll(List.of("runuser", "-u", user, "--"));
        }
        full.addAll(command);
        Path out = null;
        try {
            out = Files.createTempFile("se-exec-", ".out");
            ProcessBuilder pb = new ProcessBuilder(full)
                    .directory(workDir == null ? null : workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(full, -1, "timed out after " + timeout.toSeconds() + " s\n" + tail(out));
            }
            return new Result(full, p.exitValue(), tail(out));
        } catch (IOException e) {
            return new Result(full, -2, "could not run: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + full, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static String tail(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int from = Math.max(0, all.length - MAX_OUTPUT);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
}
