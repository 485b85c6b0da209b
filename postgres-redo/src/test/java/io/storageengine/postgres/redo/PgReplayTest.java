package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.storageengine.postgres.wal.DecodedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PgReplay} on captured records (the committed fixtures) and its command line. That its
 * pages equal the server's is {@code ReplayMatchesServerIT}'s business.
 */
class PgReplayTest {

    @Test
    void replaysInitializingRecordsInPlaceAndSkipsBlocksItDoesNotHold() throws Exception {
        List<RedoFixtures.Entry> entries;
        try (var in = getClass().getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
        // captured records whose block starts the page (WILL_INIT: no page before), on distinct pages
        List<DecodedRecord> inits = new java.util.ArrayList<>();
        java.util.Set<Object> seen = new java.util.HashSet<>();
        for (RedoFixtures.Entry e : entries) {
            DecodedRecord d = e.decode();
            if (e.before() == null && d.blocks().size() == 1 && d.block(e.blockId()).startsPage()
                    && seen.add(d.block(e.blockId()).pageRef())) {
                inits.add(d);
            }
        }
        assertThat(inits).hasSizeGreaterThanOrEqualTo(2);

        PgReplay replay = new PgReplay(false, 1);
        DecodedRecord first = inits.get(0);
        replay.replay(first);
        byte[] expected = new byte[8192];
        new PgRedoEngine().apply(expected, first, first.blocks().get(0).id(), first.endLsn().value());
        assertThat(replay.pages()).containsOnlyKeys(first.blocks().get(0).pageRef());
        assertThat(replay.pages().get(first.blocks().get(0).pageRef())).isEqualTo(expected);

        replay.replay(inits.get(1)); // a second page: the bound of one page drops the other
        PgReplay.Result r = replay.result(0);
        assertThat(r.blocksApplied()).isEqualTo(2);
        assertThat(r.evicted()).isEqualTo(1);
        assertThat(replay.pages()).containsOnlyKeys(inits.get(1).blocks().get(0).pageRef());

        // a record on a page it does not hold that neither initializes it nor carries its image: skipped
        RedoFixtures.Entry later = entries.stream().filter(e -> e.before() != null).findFirst().orElseThrow();
        replay.replay(later.decode());
        assertThat(replay.result(0).untracked()).isGreaterThanOrEqualTo(1);
        assertThat(replay.result(0).blocksApplied()).isEqualTo(2);
    }

    @Test
    void rejectsBadArgumentsWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PgReplay.run(new String[] {"--bogus"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument --bogus").contains("usage: pg-replay");
        assertThat(PgReplay.run(new String[0], new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
        assertThat(PgReplay.run(new String[] {"--pg-wal", "x", "--passes", "0"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
    }

    @Test
    void namesAMissingWalDirectory(@TempDir Path tmp) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PgReplay.run(new String[] {"--pg-wal", tmp.resolve("nope").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("pg-replay: ").contains("nope");
    }

    @Test
    void aReadErrorOnTheReadingThreadReachesTheCaller(@TempDir Path tmp) throws Exception {
        byte[] garbage = new byte[16 * 1024 * 1024];
        new java.util.Random(7).nextBytes(garbage);
        java.nio.file.Files.write(tmp.resolve("000000010000000000000001"), garbage);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PgReplay.run(new String[] {"--pg-wal", tmp.toString(), "--start-lsn", "0/1000028"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("pg-replay: ");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pg-replay-reader"));
    }

    @Test
    void boundsThePageSet() {
        assertThatThrownBy(() -> new PgReplay(false, 0)).isInstanceOf(IllegalArgumentException.class);
    }

}
