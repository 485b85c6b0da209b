package io.storageengine.postgres.wal.rel;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationSize;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The size of every relation fork of one timeline, advanced record by record: state × record →
 * the {@link RelationSize}s that changed, to be published at the record's end LSN. It must see
 * every record of the timeline in WAL order (ingest publishes its changes with the record's page
 * frames).
 *
 * <p>Rules, as PostgreSQL 15's redo leaves the files ({@code smgrnblocks} after the record):
 * <ul>
 *   <li>a block reference to block b of a fork that is missing or shorter makes it b + 1 blocks
 *       (redo creates and extends it; a gap reads as zero-filled blocks);</li>
 *   <li>Storage CREATE: the fork exists with 0 blocks unless it existed;</li>
 *   <li>Storage TRUNCATE: the main fork is created if missing; with HEAP the main fork becomes
 *       min(n, blkno); with FSM / VM, if that fork exists, min(n, what the map needs for blkno
 *       heap blocks) ({@link ForkTruncation}); never longer;</li>
 *   <li>commit or abort (prepared or not) listing relfilenodes: all four forks of each are gone;</li>
 *   <li>database drop: every fork of that database in the listed tablespaces is gone; database
 *       copy (FILE_COPY strategy): the forks known in the source directory appear in the new one
 *       with the same sizes.</li>
 * </ul>
 * Several changes of one fork in one record give one size (the last). A record whose main data is
 * malformed changes nothing: {@link #apply} throws {@link MalformedRelationRecordException} before
 * touching the state, so the caller can count and skip it and go on.
 *
 * <p>State: one entry per existing fork (absent = does not exist), so memory is bounded by the
 * number of live relation forks of the database, as PostgreSQL's own catalog is; dropped forks
 * leave it. It starts empty (WAL from the cluster's creation, or from a point after which only
 * relations created later are asked for) or from {@link #restore} (a restart resumes from the
 * published state at its resume LSN). Relations created before the first record seen are known
 * only from their later writes (their size is then a lower bound); see docs/relations.md.
 *
 * <p>Not thread-safe: one tracker per timeline, called by the ingest thread.
 */
public final class RelationTracker {
    private final Map<RelFork, Long> sizes = new HashMap<>();
    /** Per record: fork → size before the record (-1: absent); one map reused across records. */
    private final Map<RelFork, Long> before = new LinkedHashMap<>();
    private long records;
    private long changes;

    /** Replaces the state with {@code existing} (fork → blocks), e.g. loaded from the relations topic. */
    public void restore(Map<RelFork, Long> existing) {
        sizes.clear();
        sizes.putAll(existing);
    }

    /**
     * Applies one record.
     *
     * @param endLsn the record's end LSN (for messages)
     * @param info   {@code xl_info}
     * @return the forks whose size or existence changed, each once, in first-change order
     * @throws MalformedRelationRecordException if its main data does not fit its kind (state unchanged)
     */
    public List<RelationSize> apply(long endLsn, int rmid, int info, ByteBuffer mainData,
                                    List<PageRef> blocks) {
        return apply(RelationRecords.parse(endLsn, rmid, info, mainData, blocks));
    }

    /** Applies one decoded record (its block references and main data) at its end LSN. */
    public List<RelationSize> apply(DecodedRecord record) {
        List<PageRef> pages = new ArrayList<>(record.blocks().size());
        for (BlockRef b : record.blocks()) {
            pages.add(b.pageRef());
        }
        return apply(record.endLsn().value(), record.rmid(), record.info(), record.mainData(), pages);
    }

    /** Applies the parsed changes of one record; see {@link #apply(long, int, int, ByteBuffer, List)}. */
    public List<RelationSize> apply(List<RelationChange> record) {
        records++;
        if (record.isEmpty()) {
            return List.of();
        }
        before.clear();
        for (RelationChange c : record) {
            switch (c) {
                case RelationChange.Write w -> {
                    Long n = sizes.get(w.fork());
                    if (n == null || w.block() >= n) {
                        set(w.fork(), w.block() + 1);
                    }
                }
                case RelationChange.Create cr -> {
                    if (!sizes.containsKey(cr.fork())) {
                        set(cr.fork(), 0L);
                    }
                }
                case RelationChange.Truncate t -> truncate(t);
                case RelationChange.Drop d -> {
                    for (RelFile rel : d.rels()) {
                        for (int f = 0; f < RelFork.FORKS; f++) {
                            remove(rel.fork(f));
                        }
                    }
                }
                case RelationChange.DropDatabase dd -> {
                    List<RelFork> gone = new ArrayList<>();
                    for (RelFork f : sizes.keySet()) {
                        if (f.dbOid() == dd.dbOid() && dd.spcOids().contains(f.spcOid())) {
                            gone.add(f);
                        }
                    }
                    gone.forEach(this::remove);
                }
                case RelationChange.CopyDatabase cd -> {
                    Map<RelFork, Long> copies = new HashMap<>();
                    for (Map.Entry<RelFork, Long> e : sizes.entrySet()) {
                        RelFork f = e.getKey();
                        if (f.dbOid() == cd.srcDbOid() && f.spcOid() == cd.srcSpcOid()) {
                            copies.put(new RelFork(cd.spcOid(), cd.dbOid(), f.relNumber(), f.forkNum()), e.getValue());
                        }
                    }
                    copies.forEach(this::set);
                }
            }
        }
        if (before.isEmpty()) {
            return List.of();
        }
        List<RelationSize> out = new ArrayList<>(before.size());
        for (Map.Entry<RelFork, Long> e : before.entrySet()) {
            long now = size(e.getKey());
            if (now != e.getValue()) {
                out.add(now < 0 ? RelationSize.dropped(e.getKey()) : RelationSize.of(e.getKey(), now));
            }
        }
        changes += out.size();
        return out;
    }

    private void truncate(RelationChange.Truncate t) {
        RelFork main = t.rel().fork(Fork.MAIN.number());
        if (!sizes.containsKey(main)) {
            set(main, 0L);
        }
        if (t.main()) {
            shrink(main, t.blkno());
        }
        if (t.fsm()) {
            shrink(t.rel().fork(Fork.FSM.number()), ForkTruncation.fsmBlocks(t.blkno()));
        }
        if (t.vm()) {
            shrink(t.rel().fork(Fork.VM.number()), ForkTruncation.vmBlocks(t.blkno()));
        }
    }

    private void shrink(RelFork fork, long to) {
        Long n = sizes.get(fork);
        if (n != null && n > to) {
            set(fork, to);
        }
    }

    private void set(RelFork fork, long n) {
        remember(fork);
        sizes.put(fork, n);
    }

    private void remove(RelFork fork) {
        if (sizes.containsKey(fork)) {
            remember(fork);
            sizes.remove(fork);
        }
    }

    private void remember(RelFork fork) {
        before.putIfAbsent(fork, size(fork));
    }

    /** The fork's current size, or -1 if it does not exist. */
    public long size(RelFork fork) {
        Long n = sizes.get(fork);
        return n == null ? -1 : n;
    }

    /** Existing forks now. */
    public int forks() {
        return sizes.size();
    }

    /** A copy of the state (fork → blocks). */
    public Map<RelFork, Long> snapshot() {
        return Map.copyOf(sizes);
    }

    public long records() {
        return records;
    }

    /** Size changes emitted so far. */
    public long changes() {
        return changes;
    }
}
