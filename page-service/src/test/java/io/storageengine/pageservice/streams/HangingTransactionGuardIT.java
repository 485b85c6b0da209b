package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.ItResources;
import io.storageengine.testsupport.KafkaBrokerProcess;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HangingTransactionGuard} against a real broker (its own process): a hanging transaction
 * is made on purpose, the guard finds and aborts it, and leaves alone an open transaction its
 * coordinator holds. To make one, the broker's partition verification is switched off (a dynamic
 * broker setting) and a transactional batch of a producer id no coordinator knows is sent with a
 * raw Produce request of the version before transactions v2 (so the leader adds nothing to any
 * transaction): the partition then has an open transaction no coordinator will ever end, and its
 * last stable offset stays where that batch began, as the broker crash left it in the fault suite.
 * The guard's clock is the test's, so no test waits out the stall time.
 */
class HangingTransactionGuardIT {
    private static final String HANGING_TOPIC = "app-applied-watermarks-changelog";
    private static final String HELD_TOPIC = "app-page-versions-changelog";

    private final ItResources resources = new ItResources();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    @Test
    void abortsAHangingTransactionAndLeavesOneItsCoordinatorHolds() throws Exception {
        int port = KafkaBrokerProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        KafkaBrokerProcess broker = KafkaBrokerProcess.create(resources.tempDir("hanging-broker"), port, bootstrap);
        resources.add(broker);
        broker.start();
        KafkaBrokerProcess.createTopics(bootstrap, Map.of(HANGING_TOPIC, 1, HELD_TOPIC, 1));
        TopicPartition hangingTp = new TopicPartition(HANGING_TOPIC, 0);
        TopicPartition heldTp = new TopicPartition(HELD_TOPIC, 0);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        resources.add(admin);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(
                new AlterConfigOp(new ConfigEntry("transaction.partition.verification.enable", "false"),
                        AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);

        // Committed data, then a transaction of producer id 424242, which no coordinator ever issued.
        try (KafkaProducer<byte[], byte[]> plain = producer(bootstrap, Map.of())) {
            plain.send(new ProducerRecord<>(HANGING_TOPIC, 0, null, "committed".getBytes(StandardCharsets.UTF_8))).get();
        }
        rawTransactionalProduce(port, hangingTp, 424_242L, (short) 0);
        long hangingEnd = endOffset(admin, hangingTp, IsolationLevel.READ_UNCOMMITTED);
        assertThat(endOffset(admin, hangingTp, IsolationLevel.READ_COMMITTED)).as("LSO pinned by the open transaction")
                .isEqualTo(1).isLessThan(hangingEnd);

        // An open transaction its coordinator holds (a live producer that has not committed yet).
        KafkaProducer<byte[], byte[]> live = producer(bootstrap, Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "live", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000));
        resources.add(live::close);
        live.initTransactions();
        live.beginTransaction();
        live.send(new ProducerRecord<>(HELD_TOPIC, 0, null, "open".getBytes(StandardCharsets.UTF_8))).get();
        assertThat(endOffset(admin, heldTp, IsolationLevel.READ_COMMITTED)).isZero();

        AtomicLong now = new AtomicLong();
        HangingTransactionGuard guard = new HangingTransactionGuard(admin, Duration.ofSeconds(30), now::get);
        guard.onRestoreStart(hangingTp, "applied-watermarks", 0, hangingEnd);
        guard.onRestoreStart(heldTp, "page-versions", 0, 1);
        guard.check(); // not stalled yet: nothing examined
        assertThat(guard.aborted()).isZero();
        assertThat(endOffset(admin, hangingTp, IsolationLevel.READ_COMMITTED)).isEqualTo(1);

        now.addAndGet(Duration.ofSeconds(31).toNanos());
        guard.check();
        assertThat(guard.aborted()).as("the hanging transaction, not the held one").isEqualTo(1);
        long endAfter = endOffset(admin, hangingTp, IsolationLevel.READ_UNCOMMITTED);
        assertThat(endAfter).as("an abort marker was written").isEqualTo(hangingEnd + 1);
        assertThat(endOffset(admin, hangingTp, IsolationLevel.READ_COMMITTED)).as("the LSO moved to the end")
                .isEqualTo(endAfter);
        assertThat(endOffset(admin, heldTp, IsolationLevel.READ_COMMITTED)).as("the held transaction is still open")
                .isZero();

        live.commitTransaction(); // its coordinator ends it as usual (the marker is written after commit returns)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (endOffset(admin, heldTp, IsolationLevel.READ_COMMITTED) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(endOffset(admin, heldTp, IsolationLevel.READ_COMMITTED)).isEqualTo(2);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        config.putAll(extra);
        return new KafkaProducer<>(config);
    }

    private static long endOffset(Admin admin, TopicPartition tp, IsolationLevel isolation) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(isolation)).all()
                .get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /** One transactional record of (producerId, epoch), sequence 0, by a raw Produce request (acks=all). */
    private static void rawTransactionalProduce(int port, TopicPartition tp, long producerId, short epoch) throws Exception {
        MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                new SimpleRecord("hanging".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTransactionalId("ghost");
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(tp.topic()).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(tp.partition()).setRecords(records))));
        short version = ProduceRequest.LAST_STABLE_VERSION_BEFORE_TRANSACTION_V2;
        ProduceRequest request = ProduceRequest.builder(data).build(version);
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "hanging-transaction-it", 1);
        ByteBuffer bytes = request.serializeWithHeader(header);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] body = new byte[bytes.remaining()];
            bytes.get(body);
            out.writeInt(body.length);
            out.write(body);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            ProduceResponse r = (ProduceResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            short error = r.data().responses().iterator().next().partitionResponses().get(0).errorCode();
            assertThat(Errors.forCode(error)).as("raw transactional produce").isEqualTo(Errors.NONE);
        }
    }
}
