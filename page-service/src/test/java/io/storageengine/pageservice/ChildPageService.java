package io.storageengine.pageservice;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.wal.Lsn;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A page-service {@link Main} in a child JVM, for fault tests that need a real crash: {@link #kill}
 * is SIGKILL (no shutdown hook, no leave-group, state directory left as it was). Output goes to
 * {@code target/it-<name>.log}. Reads go to its page API over HTTP. Not thread-safe per instance
 * except {@link #get} (the HTTP client is thread-safe).
 */
final class ChildPageService implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** An HTTP answer: status and body; status -1 when nothing answered (refused, timeout). */
    record Answer(int status, byte[] body) {
        /** The last path segment of a problem's {@code type} URI (its slug). */
        private static final java.util.regex.Pattern PROBLEM_TYPE = java.util.regex.Pattern.compile(
                "\"type\"\\s*:\\s*\"[^\"]*?([A-Za-z0-9-]+)\"");

        boolean ok() {
            return status == 200;
        }

        /** "STATUS SLUG" of a problem answer ("STATUS ?" when the body names no problem type). */
        String problemKind() {
            java.util.regex.Matcher m = PROBLEM_TYPE.matcher(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            return status + " " + (m.find() ? m.group(1) : "?");
        }
    }

    private final String name;
    private final int port;
    private final Process process;

    private ChildPageService(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** Starts {@code Main} on {@code port} with {@code env} (gRPC on a free port unless {@code env} says otherwise). */
    static ChildPageService start(String name, int port, Map<String, String> env) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx384m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        pb.environment().put("SE_GRPC_PORT", "0"); // a free port: never the default 8090 of a stack on this host
        pb.environment().putAll(env);
        pb.environment().put("SE_HTTP_PORT", Integer.toString(port));
        pb.redirectErrorStream(true);
        pb.redirectOutput(Path.of("target", "it-" + name + ".log").toFile());
        return new ChildPageService(name, port, pb.start());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last {@code lines} lines of this process's log (target/it-NAME.log), for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(Path.of("target", "it-" + name + ".log"),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * A thread dump of the process ({@code jcmd PID Thread.print}), written whole to
     * target/it-NAME-threads.txt; returns the stacks of the Kafka Streams threads (stream threads,
     * state updater), for failure messages about a page service that stopped making progress.
     */
    String streamThreadStacks() {
        Path out = Path.of("target", "it-" + name + "-threads.txt");
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "(jcmd Thread.print did not finish within 20 s)";
            }
            StringBuilder b = new StringBuilder();
            for (String stack : Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).split("\n\n")) {
                if (stack.contains("StreamThread") || stack.contains("StateUpdater")) {
                    b.append(stack).append("\n\n");
                }
            }
            return "thread dump " + out + ":\n" + b;
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(thread dump interrupted)";
        }
    }

    /** SIGKILL and wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die within 30 s of SIGKILL");
        }
    }

    static String pagePath(PageKey key, long lsn) {
        return "/v1/tenants/" + key.timeline().tenant() + "/timelines/" + key.timeline().timeline() + "/pages/"
                + key.page().spc() + "/" + key.page().db() + "/" + key.page().rel() + "/" + key.page().block()
                + "?lsn=" + Lsn.format(lsn);
    }

    /** GET of a page at an LSN through this instance. */
    Answer read(PageKey key, long lsn) {
        return get(pagePath(key, lsn));
    }

    Answer get(String path) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, new byte[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
