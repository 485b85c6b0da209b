package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One real PostgreSQL 15 record per kind (captured by {@link ConsistencyCheckIT} from WAL written
 * with {@code wal_consistency_checking = all}), with the page as it was before the record: our
 * redo of the block must equal the record's own consistency image after PostgreSQL's masking.
 */
class RecordFixturesTest {

    static List<RedoFixtures.Entry> entries;
    final PgRedoEngine engine = new PgRedoEngine();

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = RecordFixturesTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
    }

    @Test
    void coversTheImplementedKinds() {
        assertThat(entries.stream().map(RedoFixtures.Entry::name)).contains("Heap/INSERT", "Heap/INSERT+INIT",
                "Heap/UPDATE", "Heap/HOT_UPDATE", "Heap/DELETE", "Heap/LOCK", "Heap/INPLACE", "Heap2/PRUNE",
                "Heap2/VACUUM", "Heap2/FREEZE_PAGE", "Heap2/VISIBLE", "Heap2/MULTI_INSERT+INIT", "Btree/INSERT_LEAF",
                "Btree/SPLIT_R", "Btree/DEDUP", "Btree/UNLINK_PAGE", "Btree/MARK_PAGE_HALFDEAD", "Btree/NEWROOT",
                "Btree/VACUUM", "Btree/DELETE", "Btree/INSERT_POST", "Heap/HEAP_CONFIRM", "Heap2/LOCK_UPDATED", "Sequence/LOG", "Hash/INIT_META_PAGE", "Hash/INIT_BITMAP_PAGE",
                "Hash/INSERT", "Hash/ADD_OVFL_PAGE", "Hash/SPLIT_ALLOCATE_PAGE", "Hash/SPLIT_COMPLETE", "Hash/DELETE",
                "Hash/SPLIT_CLEANUP", "Hash/SQUEEZE_PAGE", "Hash/MOVE_PAGE_CONTENTS", "Hash/UPDATE_META_PAGE",
                "Gin/INSERT", "Gin/CREATE_PTREE", "Gin/INSERT_LISTPAGE", "Gin/UPDATE_META_PAGE", "Gin/DELETE_LISTPAGE",
                "Gin/VACUUM_DATA_LEAF_PAGE", "Gist/PAGE_UPDATE", "Gist/PAGE_SPLIT", "Gist/PAGE_DELETE",
                "BRIN/CREATE_INDEX", "BRIN/INSERT", "BRIN/REVMAP_EXTEND", "BRIN/SAMEPAGE_UPDATE", "BRIN/DESUMMARIZE",
                "SPGist/ADD_LEAF", "SPGist/ADD_NODE", "SPGist/MOVE_LEAFS", "SPGist/PICKSPLIT", "SPGist/VACUUM_LEAF",
                "SPGist/VACUUM_REDIRECT", "Generic/Generic");
    }

    @TestFactory
    List<DynamicTest> eachKindReplaysToPostgresPage() {
        return entries.stream().map(e -> DynamicTest.dynamicTest(e.name(), () -> {
            DecodedRecord rec = e.decode();
            BlockRef b = rec.block(e.blockId());
            byte[] page = e.before() == null ? new byte[Page.SIZE] : e.before().clone();
            engine.apply(page, rec, e.blockId(), e.endLsn());
            String diff = ConsistencyChecker.compare(rec.rmgr(), page, b.image().restorePage(), (int) b.blockNumber());
            assertThat(diff).as("%s at %s", e.name(), rec.endLsn()).isNull();
        })).toList();
    }

    @Test
    void aChangedTupleByteIsCaught() {
        RedoFixtures.Entry e = entries.stream().filter(x -> x.name().equals("Heap/INSERT")).findFirst().orElseThrow();
        DecodedRecord rec = e.decode();
        BlockRef b = rec.block(e.blockId());
        byte[] page = e.before().clone();
        engine.apply(page, rec, e.blockId(), e.endLsn());
        Page p = new Page(page);
        int off = p.lpOff(p.maxOffset());
        page[off + p.lpLen(p.maxOffset()) - 1] ^= 1; // last data byte of the newest tuple
        assertThat(ConsistencyChecker.compare(rec.rmgr(), page, b.image().restorePage(), (int) b.blockNumber()))
                .contains("first difference at byte");
    }
}
