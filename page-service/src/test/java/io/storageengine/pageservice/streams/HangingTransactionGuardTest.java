package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionGuardTest {
    private static final TopicPartition WM = new TopicPartition("app-applied-watermarks-changelog", 1);
    private static final TopicPartition PV = new TopicPartition("app-page-versions-changelog", 1);

    private static ProducerState open(long producerId, long startOffset) {
        return new ProducerState(producerId, 3, 17, 1_000L, OptionalInt.of(2), OptionalLong.of(startOffset));
    }

    private static TransactionDescription ongoing(long producerId, Set<TopicPartition> partitions) {
        return new TransactionDescription(1, TransactionState.ONGOING, producerId, 4, 10_000, OptionalLong.of(1L),
                partitions);
    }

    @Test
    void anOpenTransactionNoCoordinatorKnowsIsHanging() {
        var hanging = HangingTransactionGuard.hanging(Map.of(WM, List.of(open(7, 10))), Map.of(), Map.of());
        assertThat(hanging).singleElement().satisfies(t -> {
            assertThat(t.partition()).isEqualTo(WM);
            assertThat(t.state().producerId()).isEqualTo(7);
            assertThat(t.why()).contains("no coordinator knows producer id 7");
        });
    }

    @Test
    void aTransactionalIdWithoutDescriptionIsHanging() {
        var hanging = HangingTransactionGuard.hanging(Map.of(WM, List.of(open(7, 10))), Map.of(7L, "app-1"), Map.of());
        assertThat(hanging).singleElement().satisfies(t -> assertThat(t.why()).contains("app-1 is not found"));
    }

    @Test
    void onlyPartitionsTheCoordinatorsTransactionLeavesOutAreHanging() {
        var hanging = HangingTransactionGuard.hanging(
                Map.of(WM, List.of(open(7, 10)), PV, List.of(open(7, 40))),
                Map.of(7L, "app-1"), Map.of("app-1", ongoing(7, Set.of(PV))));
        assertThat(hanging).singleElement().satisfies(t -> {
            assertThat(t.partition()).isEqualTo(WM);
            assertThat(t.why()).contains("does not include " + WM);
        });
    }

    @Test
    void aTransactionItsCoordinatorWillEndIsLeftAlone() {
        assertThat(HangingTransactionGuard.hanging(Map.of(WM, List.of(open(7, 10))),
                Map.of(7L, "app-1"), Map.of("app-1", ongoing(7, Set.of(WM))))).isEmpty();
    }

    @Test
    void onlyRestorationsWithoutProgressForTheStallTimeAreExamined() {
        AtomicLong now = new AtomicLong();
        var guard = new HangingTransactionGuard(null, Duration.ofSeconds(60), now::get);
        guard.onRestoreStart(WM, "applied-watermarks", 0, 12);
        guard.onRestoreStart(PV, "page-versions", 0, 300);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        guard.onBatchRestored(PV, "page-versions", 100, 100);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(guard.stalled()).containsExactly(WM); // PV moved 30 s ago
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(guard.stalled()).containsExactlyInAnyOrder(WM, PV);
        guard.check(); // examined (the null admin fails, logged): not again before another 60 s
        assertThat(guard.stalled()).isEmpty();
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(guard.stalled()).containsExactlyInAnyOrder(WM, PV);
        guard.onRestoreEnd(WM, "applied-watermarks", 12);
        guard.onRestoreSuspended(PV, "page-versions", 100);
        assertThat(guard.stalled()).isEmpty();
        assertThat(guard.restoring()).isEmpty();
        guard.check(); // nothing stalled: no broker asked
        assertThat(guard.aborted()).isZero();
    }

    @Test
    void theStallTimeIsThreeTransactionTimeoutsAndAtLeastHalfAMinute() {
        assertThat(HangingTransactionGuard.stalledAfter(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(30));
        assertThat(HangingTransactionGuard.stalledAfter(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(HangingTransactionGuard.stalledAfter(Duration.ofSeconds(60))).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void theTransactionTimeoutIsStreamsDefaultUnlessOverridden() {
        Properties p = new Properties();
        assertThat(PageStreamsApp.transactionTimeout(p)).isEqualTo(Duration.ofSeconds(10));
        p.put("transaction.timeout.ms", "30000");
        assertThat(PageStreamsApp.transactionTimeout(p)).isEqualTo(Duration.ofSeconds(30));
        p.put("producer.transaction.timeout.ms", 45000);
        assertThat(PageStreamsApp.transactionTimeout(p)).isEqualTo(Duration.ofSeconds(45));
    }
}
