package io.storageengine.pageservice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PageTopologyTest {
    private static final TimelineKey T = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");
    private final TopologyFixture fx = new TopologyFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void storesEveryPageVersionUnderItsVersionKeyWithTheStoredVersionValue() {
        SyntheticWal wal = new SyntheticWal(1, 1000);
        PageKey a = SyntheticWal.page(T, 1, 0);
        PageKey b = SyntheticWal.page(T, 1, 1);
        wal.image(a, 1010);
        wal.delta(a, 1020);
        wal.delta(b, 1020);
        wal.image(b, 1030);
        fx.pipe(wal.events());

        List<KeyValue<byte[], byte[]>> stored = new ArrayList<>();
        try (KeyValueIterator<byte[], byte[]> it = fx.versionsStore().all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.length == VersionKey.SIZE) {
                    stored.add(kv);
                }
            });
        }
        assertThat(stored).hasSize(4);
        assertThat(stored).allSatisfy(kv -> assertThat(kv.key).hasSize(VersionKey.SIZE));
        byte[] aImage = fx.versionsStore().get(VersionKey.encode(a, 1010));
        assertThat(VersionChains.isMaterializedImage(aImage)).isTrue();
        assertThat(Arrays.copyOfRange(aImage, 1, aImage.length))
                .isEqualTo(wal.model().pageAt(a, 1010).page());
        byte[] bDelta = fx.versionsStore().get(VersionKey.encode(b, 1020));
        assertThat(StoredVersion.type(bDelta)).isEqualTo(RecordType.PAGE_DELTA);
        assertThat(fx.counters().pageVersions()).isEqualTo(4);
        assertThat(fx.counters().skipped()).isZero();
    }

    @Test
    void theRunningTaskPublishesItsVersionsStoreForReadsAndWithdrawsItWhenItCloses() {
        TopologyFixture own = new TopologyFixture();
        WatermarkRegistry registry = own.registry();
        PartitionMarks marks = registry.partition(0);
        org.apache.kafka.streams.state.ReadOnlyKeyValueStore<byte[], byte[]> published = marks.activeStore();
        assertThat(published).as("published on init").isNotNull();
        assertThat(registry.partition(1)).as("a partition not active here").isNull();
        SyntheticWal wal = new SyntheticWal(1, 1000);
        PageKey a = SyntheticWal.page(T, 1, 0);
        wal.image(a, 1010);
        wal.delta(a, 1020);
        own.pipe(wal.events());
        byte[] key = VersionKey.encode(a, 1020);
        assertThat(published.get(key)).as("reads see what the task applied").isEqualTo(own.versionsStore().get(key));
        try (KeyValueIterator<byte[], byte[]> it = published.reverseRange(VersionKey.encode(a, 0L), VersionKey.encode(a, -1L))) {
            assertThat(it.next().key).isEqualTo(key);
        }
        own.close();
        assertThat(marks.activeStore()).as("withdrawn on close").isNull();
        assertThat(own.registry().activePartitions()).isEmpty();
    }

    @Test
    void postgresRecordsAreStoredAsTheirTypeAndBodyAndBadOnesCounted() {
        SyntheticWal wal = new SyntheticWal(2, 1000);
        PageKey a = SyntheticWal.page(T, 1, 0);
        byte[] frame = wal.pgRecord(a, 1010, 1, 10, 0x20).value();
        fx.pipe(wal.drain());
        byte[] stored = fx.versionsStore().get(VersionKey.encode(a, 1010));
        assertThat(StoredVersion.type(stored)).isEqualTo(RecordType.PG_RECORD);
        assertThat(VersionChains.startsChain(stored)).isTrue();
        // the stored version is the type byte and the payload after its PageRef
        assertThat(Arrays.copyOfRange(stored, 1, stored.length))
                .isEqualTo(Arrays.copyOfRange(frame, 21 + 17, frame.length));
        byte[] badMajor = frame.clone();
        badMajor[21 + 17 + 3] = 14;
        ByteBuffer payload = ByteBuffer.wrap(badMajor, 21, badMajor.length - 21);
        fx.input.pipeInput(a.toBytes(), FrameCodec.encode(1020, RecordType.PG_RECORD.code(), payload));
        assertThat(fx.counters().badRecords()).isEqualTo(1);
        assertThat(fx.versionsStore().get(VersionKey.encode(a, 1020))).isNull();
        assertThat(fx.counters().pageVersions()).isEqualTo(1);
    }

    @Test
    void watermarksAreStoredAndMirroredWhilePageRecordsDoNotRaiseThem() {
        SyntheticWal wal = new SyntheticWal(2, 1000);
        PageKey a = SyntheticWal.page(T, 1, 0);
        wal.image(a, 1010);
        fx.pipe(wal.drain());
        PartitionMarks marks = fx.registry().partition(0);
        assertThat(marks.role()).isEqualTo(PartitionMarks.Role.ACTIVE);
        assertThat(marks.mark(T).lsn()).as("a page record marks the timeline seen, at 0").isZero();
        assertThat(fx.registry().knows(T)).isTrue();

        wal.watermark(T, 1010);
        wal.watermark(T, 5000);
        wal.watermark(T, 3000); // stale: never lowers
        fx.pipe(wal.drain());
        assertThat(marks.mark(T).lsn()).isEqualTo(5000);
        assertThat(WatermarkKeys.load(fx.watermarksStore(), 0)).containsEntry(T, 5000L);
        assertThat(WatermarkKeys.lsnOf(fx.versionsStore().get(WatermarkKeys.key(0, T))))
                .as("the marker a standby replica trusts").isEqualTo(5000L);
        assertThat(fx.counters().watermarks()).isEqualTo(2);
        assertThat(fx.counters().staleWatermarks()).isEqualTo(1);

        wal.delta(a, 9000);
        fx.pipe(wal.drain());
        assertThat(marks.mark(T).lsn()).isEqualTo(5000);
    }

    @Test
    void corruptAndInvalidRecordsAreSkippedAndCountedWithoutLosingTheValidOnesAround() {
        SyntheticWal wal = new SyntheticWal(3, 1000);
        PageKey a = SyntheticWal.page(T, 1, 0);
        PageKey other = SyntheticWal.page(T, 1, 7);
        byte[] good = wal.image(a, 1010).value();
        wal.drain();

        byte[] wrongMagic = good.clone();
        wrongMagic[0] ^= 1;
        byte[] badCrc = good.clone();
        badCrc[good.length - 1] ^= 1;
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        byte[] shortImage = FrameCodec.encode(1011, RecordType.PAGE_IMAGE,
                Arrays.copyOf(PagePayloads.image(a.page(), new byte[8192]), 100));
        ByteBuffer pastPage = ByteBuffer.allocate(17 + 2 + 4 + 8);
        a.page().write(pastPage);
        pastPage.putShort((short) 1).putShort((short) 8190).putShort((short) 8).put(new byte[8]);
        byte[] deltaPastPage = FrameCodec.encode(1012, RecordType.PAGE_DELTA, pastPage.array());
        byte[] otherPagesPayload = FrameCodec.encode(1013, RecordType.PAGE_IMAGE,
                PagePayloads.image(other.page(), new byte[8192]));
        byte[] reserved = FrameCodec.encode(1014, 0x42, ByteBuffer.allocate(3));
        byte[] lsnAdvance = FrameCodec.encode(1015, RecordType.LSN_ADVANCE, new byte[4]);
        byte[] watermarkWithPayload = FrameCodec.encode(1016, RecordType.WATERMARK, new byte[1]);

        fx.input.pipeInput(a.toBytes(), wrongMagic);
        fx.input.pipeInput(a.toBytes(), badCrc);
        fx.input.pipeInput(a.toBytes(), truncated);
        fx.input.pipeInput(a.toBytes(), trailing);
        fx.input.pipeInput(a.toBytes(), (byte[]) null);
        fx.input.pipeInput(a.toBytes(), shortImage);
        fx.input.pipeInput(a.toBytes(), deltaPastPage);
        fx.input.pipeInput(a.toBytes(), otherPagesPayload);
        fx.input.pipeInput(new byte[5], good); // key of the wrong size for a page record
        fx.input.pipeInput((byte[]) null, good);
        fx.input.pipeInput(a.toBytes(), FrameCodec.encode(1016, RecordType.WATERMARK, new byte[0])); // 49-byte key
        fx.input.pipeInput(T.toBytes(), watermarkWithPayload);
        fx.input.pipeInput(a.toBytes(), reserved);
        fx.input.pipeInput(T.toBytes(), lsnAdvance);
        // the valid records around the bad ones
        fx.input.pipeInput(a.toBytes(), good);
        wal.delta(a, 2000);
        wal.watermark(T, 2000);
        fx.pipe(wal.drain());

        ApplyCounters c = fx.counters();
        assertThat(c.corruptFrames()).isEqualTo(5);
        assertThat(c.badRecords()).isEqualTo(4);
        assertThat(c.badKeys()).isEqualTo(3);
        assertThat(c.reservedTypes()).isEqualTo(1);
        assertThat(c.ignoredLsnAdvances()).isEqualTo(1);
        assertThat(c.pageVersions()).isEqualTo(2);
        assertThat(fx.versionsStore().get(VersionKey.encode(a, 1010))).isNotNull();
        assertThat(fx.versionsStore().get(VersionKey.encode(a, 2000))).isNotNull();
        assertThat(fx.versionsStore().get(VersionKey.encode(a, 1011))).isNull();
        assertThat(fx.versionsStore().get(VersionKey.encode(other, 1013))).isNull();
        assertThat(fx.registry().partition(0).mark(T).lsn()).isEqualTo(2000);
    }

    @Test
    void everyNodeStoreAndInternalTopicHasAnExplicitName() {
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        PageTopology.build(builder, PageTopologyConfig.of("wal"));
        TopologyDescription d = builder.build().describe();
        List<String> nodes = new ArrayList<>();
        d.subtopologies().forEach(s -> s.nodes().forEach(n -> nodes.add(n.name())));
        assertThat(nodes).containsExactlyInAnyOrder(PageTopology.SOURCE_NAME, PageTopology.PROCESSOR_NAME);
        TopologyDescription.Processor p = d.subtopologies().iterator().next().nodes().stream()
                .filter(n -> n instanceof TopologyDescription.Processor).map(n -> (TopologyDescription.Processor) n)
                .findFirst().orElseThrow();
        assertThat(p.stores()).containsExactlyInAnyOrder(PageTopology.PAGE_VERSIONS_STORE, PageTopology.WATERMARKS_STORE);
    }
}
