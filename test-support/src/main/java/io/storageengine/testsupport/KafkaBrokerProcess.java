package io.storageengine.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka broker (KRaft, broker and controller combined) in a child JVM, for fault
 * tests the shared in-JVM {@link KafkaTestBroker} cannot serve: {@link #kill()} is SIGKILL and
 * {@link #start()} brings the same broker back on the same ports and data, and the broker can
 * advertise another address than it listens on (a {@link TcpProxy} in front of it, so that every
 * client connection, not only the bootstrap one, goes through the proxy). The configuration is the
 * one {@code ./se up} writes (scripts/lib/kafka.sh). Output goes to {@code <dir>/broker.log}.
 * Not thread-safe.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String advertised;
    private Process process;

    private KafkaBrokerProcess(Path dir, int port, int controllerPort, String advertised) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.advertised = advertised;
    }

    /**
     * Formats a broker in {@code dir} listening on 127.0.0.1:{@code port} and advertising
     * {@code advertised} ({@code host:port}); {@link #start()} runs it.
     */
    public static KafkaBrokerProcess create(Path dir, int port, String advertised) throws IOException, InterruptedException {
        KafkaBrokerProcess b = new KafkaBrokerProcess(dir, port, freePort(), advertised);
        b.writeConfig();
        b.runTool(List.of("kafka.tools.StorageTool", "format", "--standalone", "--ignore-formatted",
                "--cluster-id", Uuid.randomUuid().toString(),
                "--config", dir.resolve("server.properties").toString()));
        return b;
    }

    /** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        String cfg = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + advertised,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=6000",
                "group.max.session.timeout.ms=1800000",
                "auto.create.topics.enable=false",
                "");
        Files.writeString(dir.resolve("server.properties"), cfg);
    }

    private ProcessBuilder java(List<String> mainAndArgs) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xms128m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
        return pb;
    }

    private void runTool(List<String> mainAndArgs) throws IOException, InterruptedException {
        Process p = java(mainAndArgs).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(mainAndArgs.getFirst() + " failed; see " + dir.resolve("broker.log"));
        }
    }

    /** Starts (or restarts after {@link #kill()}) the broker and waits until its port accepts connections. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("broker already running");
        }
        process = java(List.of("kafka.Kafka", dir.resolve("server.properties").toString())).start();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("broker did not listen on " + port + "; see " + dir.resolve("broker.log"));
            }
            Thread.sleep(200);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates topics through {@code bootstrap} (the advertised address), waiting for the answer. */
    public static void createTopics(String bootstrap, Map<String, Integer> partitionsByTopic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach((name, n) -> topics.add(new NewTopic(name, n, (short) 1)));
            admin.createTopics(topics).all().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The port the broker listens on (clients use the advertised address). */
    public int port() {
        return port;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no controlled shutdown; the data directory stays as it was. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
