package io.storageengine.compactor.it;

import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.KafkaTestBroker;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Test publisher: a walgen stream into the wal topic with a transactional producer, as ingest
 * publishes it (page records keyed by page, default partitioner; WATERMARKs to every partition),
 * plus the stream's bad frames (corrupt, reserved, rule-breaking) which the compactor must skip.
 * Keeps the reference model: every valid page version published (VersionKey → StoredVersion).
 */
final class WalStream {
    final TreeMap<byte[], byte[]> reference = new TreeMap<>(Arrays::compareUnsigned);
    final Map<TimelineKey, Long> maxLsn = new HashMap<>();
    long badPublished;

    void publish(KafkaTestBroker broker, String topic, int partitions, TimelineKey timeline, WalGen gen) {
        Map<String, Object> cfg = broker.producerConfig();
        cfg.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "walstream-" + UUID.randomUUID());
        cfg.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        cfg.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(cfg)) {
            p.initTransactions();
            p.beginTransaction();
            long lastLsn = 0;
            int inTx = 0;
            byte[] lastPageKey = null;
            for (WalGen.Item it : gen) {
                switch (it.kind()) {
                    case PAGE_RECORD -> {
                        byte[] key = it.pageKey(timeline);
                        p.send(new ProducerRecord<>(topic, key, it.bytes()));
                        Frame f = FrameCodec.decodeExactly(it.bytes());
                        reference.put(VersionKey.encode(key, f.lsn()), StoredVersion.fromPayload(f.type(), f.payload()));
                        lastLsn = f.lsn();
                        lastPageKey = key;
                    }
                    case CORRUPTED_FRAME, RESERVED, BAD_RECORD -> {
                        byte[] key = it.page() != null ? it.pageKey(timeline) : lastPageKey != null ? lastPageKey : timeline.toBytes();
                        p.send(new ProducerRecord<>(topic, key, it.bytes()));
                        badPublished++;
                    }
                    default -> {
                    }
                }
                if (++inTx % 500 == 0) {
                    // One transaction per stream: Kafka 4.4's transactions v2 sometimes fails back-to-back
                    // commits in this single-node test broker (OutOfOrderSequenceException on the next batch).
                    watermarks(p, topic, partitions, timeline, lastLsn);
                }
            }
            watermarks(p, topic, partitions, timeline, lastLsn);
            p.commitTransaction();
            maxLsn.merge(timeline, lastLsn, Math::max);
        }
    }

    private static void watermarks(KafkaProducer<byte[], byte[]> p, String topic, int partitions, TimelineKey t, long lsn) {
        byte[] frame = FrameCodec.encode(lsn, RecordType.WATERMARK, new byte[0]);
        for (int i = 0; i < partitions; i++) {
            p.send(new ProducerRecord<>(topic, i, t.toBytes(), frame));
        }
    }
}
