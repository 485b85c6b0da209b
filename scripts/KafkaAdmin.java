/*
 * Tiny Kafka admin tool for ./se (run as a single-file source program: java -cp <kafka-clients> KafkaAdmin.java).
 * Commands: wait <seconds> | create-topic <name> <partitions> [config=value...] | offsets <topic>.
 * Exit 0 on success, 1 with a one-line error on stderr otherwise. Bootstrap from SE_KAFKA_BOOTSTRAP.
 */
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

public class KafkaAdmin {
    public static void main(String[] args) throws Exception {
        String bootstrap = System.getenv().getOrDefault("SE_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
        if (args.length == 0) {
            usage();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000))) {
            switch (args[0]) {
                case "wait" -> waitReady(admin, Integer.parseInt(args[1]), bootstrap);
                case "create-topic" -> createTopic(admin, args[1], Integer.parseInt(args[2]), configs(args, 3));
                case "offsets" -> offsets(admin, args[1]);
                default -> usage();
            }
        } catch (ExecutionException e) {
            System.err.println("kafka: " + e.getCause().getMessage());
            System.exit(1);
        }
    }

    static void usage() {
        System.err.println("usage: KafkaAdmin wait <seconds> | create-topic <name> <partitions> [config=value...] | offsets <topic>");
        System.exit(2);
    }

    static void waitReady(Admin admin, int seconds, String bootstrap) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                Thread.sleep(250);
            }
        }
        System.err.println("kafka: broker at " + bootstrap + " did not answer within " + seconds + " s");
        System.exit(1);
    }

    /** Topic configs given as {@code key=value} arguments from {@code from} on. */
    static Map<String, String> configs(String[] args, int from) {
        Map<String, String> c = new java.util.HashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                usage();
            }
            c.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return c;
    }

    static void createTopic(Admin admin, String name, int partitions, Map<String, String> configs) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
            System.out.println("created topic " + name + " with " + partitions + " partitions");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            int existing = admin.describeTopics(Set.of(name)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(name).partitions().size();
            System.out.println("topic " + name + " exists with " + existing + " partitions"
                    + (existing != partitions ? " (SE_PARTITIONS=" + partitions + " ignored; delete .local to recreate)" : ""));
        }
    }

    static void offsets(Admin admin, String topic) throws Exception {
        TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        List<TopicPartition> tps = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        var earliest = admin.listOffsets(tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest())))
                .all().get(15, TimeUnit.SECONDS);
        var latest = admin.listOffsets(tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get(15, TimeUnit.SECONDS);
        System.out.printf("%-10s %12s %12s %12s%n", "partition", "start", "end", "records*");
        for (TopicPartition tp : tps) {
            long s = earliest.get(tp).offset();
            long e = latest.get(tp).offset();
            System.out.printf("%-10d %12d %12d %12d%n", tp.partition(), s, e, e - s);
        }
        System.out.println("* offsets span, including transaction markers");
    }
}
