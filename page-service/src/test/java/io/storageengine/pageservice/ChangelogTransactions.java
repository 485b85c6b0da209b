package io.storageengine.pageservice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * For a fault test's failure message: per changelog partition, its end offset, its last stable
 * offset and the open transactions on it, then the transactions the coordinators hold. A restore
 * that stops short of a changelog's end shows here as LSO &lt; end with the transaction that pins
 * it. Best effort: an error is returned as text.
 */
final class ChangelogTransactions {
    private ChangelogTransactions() {
    }

    static String describe(String bootstrap) {
        StringBuilder b = new StringBuilder("changelog transactions:\n");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<TopicPartition> tps = new ArrayList<>();
            for (TopicDescription d : admin.describeTopics(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                if (d.name().endsWith("-changelog")) {
                    d.partitions().forEach(p -> tps.add(new TopicPartition(d.name(), p.partition())));
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all().get(10, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all().get(10, TimeUnit.SECONDS);
            var producers = admin.describeProducers(tps).all().get(10, TimeUnit.SECONDS);
            for (TopicPartition tp : tps) {
                b.append(tp).append(" end=").append(end.get(tp).offset()).append(" lso=").append(stable.get(tp).offset())
                        .append(" producers=").append(producers.get(tp).activeProducers()).append('\n');
            }
            var txns = admin.listTransactions().all().get(10, TimeUnit.SECONDS);
            b.append("transactions: ").append(txns).append('\n');
            List<String> ids = txns.stream().map(TransactionListing::transactionalId).toList();
            if (!ids.isEmpty()) {
                b.append("at their coordinators: ").append(admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS))
                        .append('\n');
            }
        } catch (Exception e) {
            b.append("(could not describe: ").append(e).append(")\n");
        }
        return b.toString();
    }
}
