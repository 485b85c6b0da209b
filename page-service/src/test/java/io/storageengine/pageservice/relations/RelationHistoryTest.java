package io.storageengine.pageservice.relations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.relations.RelationHistory.Answer;
import io.storageengine.pageservice.relations.internal.ForkHistory;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RelationHistoryTest {
    private static final TimelineKey TL = TimelineKey.of("0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210");
    private static final TimelineKey OTHER = TimelineKey.of("0123456789abcdef0123456789abcdef",
            "00000000000000000000000000000001");
    private static final RelFork REL = RelFork.of(1663, 5, 16384, Fork.MAIN);

    @Test
    void sizeAtAnLsnIsTheNewestChangeAtOrBeforeIt() {
        RelationHistory h = new RelationHistory();
        h.partitions(1);
        size(h, 0, 0x100, 0, true);
        size(h, 0, 0x200, 3, true);
        size(h, 0, 0x300, 1, true);
        size(h, 0, 0x400, 0, false);
        assertThat(h.sizeAt(TL, REL, Lsn.of(0xFF))).isEqualTo(new Answer.Size(false, 0));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x100))).isEqualTo(new Answer.Size(true, 0));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x2FF))).isEqualTo(new Answer.Size(true, 3));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x300))).isEqualTo(new Answer.Size(true, 1));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x400))).isEqualTo(new Answer.Size(false, 0));
        assertThat(h.sizeAt(TL, REL.withFork(2), Lsn.of(0x400))).isEqualTo(new Answer.Size(false, 0));
        assertThat(h.sizeAt(OTHER, REL, Lsn.of(0x400))).isEqualTo(new Answer.Size(false, 0));
        // a replayed record at an LSN already held replaces it; an older one is put in place
        size(h, 0, 0x200, 3, true);
        size(h, 0, 0x180, 2, true);
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x1FF))).isEqualTo(new Answer.Size(true, 2));
        assertThat(h.entries()).isEqualTo(5);
    }

    @Test
    void completeOnlyWhenEveryPartitionHasAWatermark() throws Exception {
        RelationHistory h = new RelationHistory();
        h.partitions(3);
        assertThat(h.knows(TL)).isFalse();
        mark(h, 0, 0x500);
        mark(h, 2, 0x400);
        assertThat(h.knows(TL)).isTrue();
        assertThat(h.completeLsn(TL)).isEqualTo(Lsn.ZERO);
        mark(h, 1, 0x900);
        assertThat(h.completeLsn(TL)).isEqualTo(Lsn.of(0x400));
        mark(h, 2, 0x300); // stale: ignored
        assertThat(h.completeLsn(TL)).isEqualTo(Lsn.of(0x400));
        assertThat(h.awaitComplete(TL, Lsn.of(0x450), TimeUnit.MILLISECONDS.toNanos(20))).isEqualTo(Lsn.of(0x400));
        CompletableFuture<Lsn> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return h.awaitComplete(TL, Lsn.of(0x480), TimeUnit.SECONDS.toNanos(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        mark(h, 2, 0x600);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo(Lsn.of(0x500));
    }

    @Test
    void cappedForksFoldTheirOldestHalfAndRaiseTheirFloor() {
        RelationHistory h = new RelationHistory(4, 1000);
        h.partitions(1);
        for (int i = 1; i <= 5; i++) {
            size(h, 0, i * 0x10L, i, true);
        }
        // 5 > 4: the oldest 2 went, the floor is the oldest kept
        assertThat(h.entries()).isEqualTo(3);
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x2F))).isEqualTo(new Answer.BelowFloor(Lsn.of(0x30)));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x30))).isEqualTo(new Answer.Size(true, 3));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x99))).isEqualTo(new Answer.Size(true, 5));
        size(h, 0, 0x20, 9, true); // below the floor: ignored
        assertThat(h.entries()).isEqualTo(3);
    }

    @Test
    void aTotalAboveTheGlobalCapFoldsTheForkThatGrows() {
        RelationHistory h = new RelationHistory(1000, 10);
        h.partitions(1);
        RelFork small = REL.withFork(2);
        h.apply(0, TL, small, new RelationRecord.Size(0x1, 1, true));
        h.apply(0, TL, small, new RelationRecord.Size(0x2, 2, true));
        for (int i = 1; i <= 9; i++) {
            size(h, 0, 0x100L * i, i, true);
        }
        // 11 > 10 on the 9th put of REL: REL (9 entries) folded to 5, the small fork kept its two
        assertThat(h.entries()).isEqualTo(7);
        assertThat(h.sizeAt(TL, small, Lsn.of(0x1))).isEqualTo(new Answer.Size(true, 1));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x3FF))).isEqualTo(new Answer.BelowFloor(Lsn.of(0x500)));
        assertThat(h.sizeAt(TL, REL, Lsn.of(0x900))).isEqualTo(new Answer.Size(true, 9));
    }

    @Test
    void trimKeepsEveryAnswerAtOrAboveTheHorizonAndForgetsDroppedForks() {
        RelationHistory h = new RelationHistory();
        h.partitions(1);
        RelFork dropped = REL.withFork(1);
        size(h, 0, 0x10, 1, true);
        size(h, 0, 0x20, 2, true);
        size(h, 0, 0x30, 3, true);
        h.apply(0, TL, dropped, new RelationRecord.Size(0x10, 4, true));
        h.apply(0, TL, dropped, new RelationRecord.Size(0x25, 0, false));
        long[] probes = {0x25, 0x29, 0x30, 0x31, 0x1000};
        Answer[] before = new Answer[probes.length];
        Answer[] beforeDropped = new Answer[probes.length];
        for (int i = 0; i < probes.length; i++) {
            before[i] = h.sizeAt(TL, REL, Lsn.of(probes[i]));
            beforeDropped[i] = h.sizeAt(TL, dropped, Lsn.of(probes[i]));
        }
        assertThat(h.trim(t -> Lsn.of(0x25))).isEqualTo(1 + 2);
        for (int i = 0; i < probes.length; i++) {
            assertThat(h.sizeAt(TL, REL, Lsn.of(probes[i]))).isEqualTo(before[i]);
            assertThat(h.sizeAt(TL, dropped, Lsn.of(probes[i]))).isEqualTo(beforeDropped[i]);
        }
        assertThat(h.forks()).isEqualTo(1);
        assertThat(h.entries()).isEqualTo(2);
        assertThat(h.trim(t -> Lsn.ZERO)).isZero();
    }

    @Test
    void readerAppliesThePageReadRules() throws Exception {
        RelationHistory h = new RelationHistory();
        Lsn[] horizon = {Lsn.ZERO};
        RelationReader reader = new RelationReader(h, t -> horizon[0], Duration.ofMillis(50));
        assertThatThrownBy(() -> reader.read(TL, REL, Lsn.of(0x10), null))
                .isInstanceOf(PageReadException.Unavailable.class).hasMessageContaining("loading");
        h.partitions(1);
        h.loaded();
        assertThatThrownBy(() -> reader.read(TL, REL, Lsn.of(0x10), null))
                .isInstanceOf(PageReadException.TimelineNotFound.class);
        size(h, 0, 0x100, 7, true);
        mark(h, 0, 0x200);
        assertThat(reader.read(TL, REL, Lsn.of(0x150), null))
                .isEqualTo(new RelationReader.RelationAnswer(true, 7, Lsn.of(0x150)));
        assertThat(reader.read(TL, REL, null, null))
                .isEqualTo(new RelationReader.RelationAnswer(true, 7, Lsn.of(0x200)));
        assertThat(reader.read(TL, REL.withFork(3), Lsn.of(0x150), null).exists()).isFalse();
        // beyond the complete LSN: waits, then 504 with the complete LSN; not_modified_since lets it answer
        assertThatThrownBy(() -> reader.read(TL, REL, Lsn.of(0x300), null))
                .isInstanceOfSatisfying(PageReadException.WalWaitTimeout.class,
                        e -> assertThat(e.lastApplied()).isEqualTo(Lsn.of(0x200)));
        assertThat(reader.read(TL, REL, Lsn.of(0x300), Lsn.of(0x180)))
                .isEqualTo(new RelationReader.RelationAnswer(true, 7, Lsn.of(0x300)));
        horizon[0] = Lsn.of(0x160);
        assertThatThrownBy(() -> reader.read(TL, REL, Lsn.of(0x150), null))
                .isInstanceOfSatisfying(PageReadException.BelowGcHorizon.class,
                        e -> assertThat(e.horizon()).isEqualTo(Lsn.of(0x160)));
    }

    @Test
    void forkHistoryRejectsAUselessCap() {
        assertThatThrownBy(() -> new ForkHistory(1)).hasMessageContaining(">= 2");
    }

    private static void size(RelationHistory h, int partition, long lsn, long nblocks, boolean exists) {
        h.apply(partition, TL, REL, new RelationRecord.Size(lsn, nblocks, exists));
        h.changed();
    }

    private static void mark(RelationHistory h, int partition, long lsn) {
        h.apply(partition, TL, null, new RelationRecord.Watermark(lsn));
        h.changed();
    }
}
