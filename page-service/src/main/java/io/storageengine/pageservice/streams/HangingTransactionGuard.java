package io.storageengine.pageservice.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unblocks changelog restoration stuck behind a hanging transaction. A restoring task reads its
 * changelog read_committed, so it stops at the partition's last stable offset (LSO); an open
 * transaction that no coordinator will ever end keeps the LSO where it began, the task never
 * finishes restoring and its WAL partition is never served again. A broker crash can leave one:
 * seen under {@code FaultsUnderLoadIT} (kill -9 of the broker while the page service was committing),
 * every {@code applied-watermarks} changelog partition stopped two records short of its end for
 * good, and the page service answered 503 until the test gave up.
 *
 * <p>The rule is Kafka's own ({@code kafka-transactions.sh find-hanging}, then {@code abort}): an
 * open transaction on a partition is hanging when no coordinator knows its producer id, or when the
 * coordinator's transaction for that producer does not include the partition (so it will write no
 * marker there). Only partitions this instance is restoring and whose restoration made no progress
 * for {@code stalledAfter} are examined: this instance owns their task, so no live producer writes
 * them, and a coordinator aborts any transaction it knows within the producers' transaction timeout
 * (10 s under exactly-once) and its abort interval (10 s); {@code stalledAfter} is three times the
 * transaction timeout and never under 30 s; a partition examined is examined again only after
 * another {@code stalledAfter} without progress (one log line per period, not per check). A hanging
 * transaction is aborted ({@link Admin#abortTransaction}: an abort marker on that partition): its
 * records were never committed, so no read_committed reader ever saw them. When the rest of its
 * transaction was aborted too (the case seen: the offset commit had been refused), its input
 * offsets were not committed and Kafka Streams applies that input again; had the coordinator
 * committed the rest, the aborted records would be missing from the restored store, which is why
 * every abort is logged with the coordinator's view (docs/recovery.md).
 *
 * <p>Thread-safety: the restore callbacks come from Kafka Streams' state-updater threads,
 * {@link #check()} from one scheduler thread; the per-partition progress is a concurrent map.
 */
final class HangingTransactionGuard implements StateRestoreListener {
    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactionGuard.class);

    private static final Duration MIN_STALL = Duration.ofSeconds(30);

    private final Admin admin;
    private final Duration stalledAfter;
    private final LongSupplier nanoTime;
    private final Map<TopicPartition, Progress> restoring = new ConcurrentHashMap<>();
    private final AtomicLong aborted = new AtomicLong();

    /** Restoration progress of one changelog partition: when it last moved. */
    private record Progress(long lastMoveNanos, long position) {
    }

    HangingTransactionGuard(Admin admin, Duration stalledAfter, LongSupplier nanoTime) {
        this.admin = admin;
        this.stalledAfter = stalledAfter;
        this.nanoTime = nanoTime;
    }

    /** How long a restoration must have stalled before it is examined: 3 × the transaction timeout, at least 30 s. */
    static Duration stalledAfter(Duration transactionTimeout) {
        Duration three = transactionTimeout.multipliedBy(3);
        return three.compareTo(MIN_STALL) < 0 ? MIN_STALL : three;
    }

    /** Hanging transactions aborted so far. */
    long aborted() {
        return aborted.get();
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        restoring.put(partition, new Progress(nanoTime.getAsLong(), startingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        restoring.put(partition, new Progress(nanoTime.getAsLong(), batchEndOffset));
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition);
    }

    /**
     * Looks for hanging transactions on the changelog partitions whose restoration stalled and
     * aborts them. Errors are logged and left for the next check.
     */
    void check() {
        List<TopicPartition> stalled = stalled();
        if (stalled.isEmpty()) {
            return;
        }
        // Examined now: again only after another stalledAfter without progress.
        long now = nanoTime.getAsLong();
        stalled.forEach(tp -> restoring.computeIfPresent(tp, (x, p) -> new Progress(now, p.position())));
        try {
            for (OpenTransaction t : findHanging(stalled)) {
                LOG.warn("Changelog {} has been restoring without progress for over {} s behind a hanging transaction "
                                + "(producer id {}, epoch {}, open since offset {}: {}); aborting it",
                        t.partition(), stalledAfter.toSeconds(), t.state().producerId(), t.state().producerEpoch(),
                        t.state().currentTransactionStartOffset().orElse(-1), t.why());
                admin.abortTransaction(new AbortTransactionSpec(t.partition(), t.state().producerId(),
                        (short) t.state().producerEpoch(), t.state().coordinatorEpoch().orElse(0)))
                        .all().get(30, TimeUnit.SECONDS);
                aborted.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Could not check changelogs {} for hanging transactions: {}", stalled, e.toString());
        }
    }

    /** The partitions restoring here whose restoration has not moved for {@code stalledAfter}. */
    List<TopicPartition> stalled() {
        long now = nanoTime.getAsLong();
        List<TopicPartition> stalled = new ArrayList<>();
        restoring.forEach((tp, p) -> {
            if (now - p.lastMoveNanos() >= stalledAfter.toNanos()) {
                stalled.add(tp);
            }
        });
        return stalled;
    }

    /** An open transaction on one partition, and why it is hanging. */
    record OpenTransaction(TopicPartition partition, ProducerState state, String why) {
    }

    /** Asks the brokers about the open transactions on these partitions and returns the hanging ones. */
    private List<OpenTransaction> findHanging(List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
        Set<Long> producerIds = new HashSet<>();
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).forEach((tp, state) -> {
            for (ProducerState p : state.activeProducers()) {
                if (p.currentTransactionStartOffset().isPresent()) {
                    open.computeIfAbsent(tp, x -> new ArrayList<>()).add(p);
                    producerIds.add(p.producerId());
                }
            }
        });
        if (open.isEmpty()) {
            return List.of();
        }
        Map<Long, String> ids = new HashMap<>();
        for (TransactionListing l : admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
                .all().get(30, TimeUnit.SECONDS)) {
            ids.put(l.producerId(), l.transactionalId());
        }
        Map<String, TransactionDescription> described = new HashMap<>();
        if (!ids.isEmpty()) {
            var result = admin.describeTransactions(new HashSet<>(ids.values()));
            for (String id : ids.values()) {
                try {
                    described.put(id, result.description(id).get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
                        throw e;
                    }
                }
            }
        }
        List<OpenTransaction> hanging = hanging(open, ids, described);
        if (hanging.isEmpty()) { // stalled behind transactions their coordinators still hold: say which
            LOG.warn("Changelog restoration of {} has not moved for over {} s; open transactions {}, at their "
                    + "coordinators {}", partitions, stalledAfter.toSeconds(), open, described);
        }
        return hanging;
    }

    /**
     * The rule of {@code kafka-transactions.sh find-hanging}: of the open transactions per partition,
     * those whose producer id has no transactional id ({@code transactionalIds}), whose transactional id
     * has no description ({@code described}), or whose coordinator's transaction does not include the
     * partition.
     */
    static List<OpenTransaction> hanging(Map<TopicPartition, List<ProducerState>> open, Map<Long, String> transactionalIds,
                                         Map<String, TransactionDescription> described) {
        List<OpenTransaction> hanging = new ArrayList<>();
        open.forEach((tp, states) -> {
            for (ProducerState p : states) {
                String id = transactionalIds.get(p.producerId());
                TransactionDescription d = id == null ? null : described.get(id);
                String why = id == null ? "no coordinator knows producer id " + p.producerId()
                        : d == null ? "transactional id " + id + " is not found at its coordinator"
                        : d.topicPartitions().contains(tp) ? null
                        : "the coordinator's transaction of " + id + " (" + d.state() + ") does not include " + tp;
                if (why != null) {
                    hanging.add(new OpenTransaction(tp, p, why));
                }
            }
        });
        return hanging;
    }

    /** The partitions restoring now (for tests and logs). */
    Set<TopicPartition> restoring() {
        return Set.copyOf(restoring.keySet());
    }
}
