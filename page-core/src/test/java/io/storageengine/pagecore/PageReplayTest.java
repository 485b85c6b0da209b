package io.storageengine.pagecore;

import static io.storageengine.pagecore.Versions.REF;
import static io.storageengine.pagecore.Versions.delta;
import static io.storageengine.pagecore.Versions.image;
import static io.storageengine.pagecore.Versions.list;
import static io.storageengine.pagecore.Versions.pg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pagecore.Versions.V;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PageReplayTest {

    @Test
    void withoutAChainStartTheDeltasApplyOntoZerosOldestFirst() throws PageApplyException {
        byte[] page = PageReplay.reconstruct(VersionList.of(list(20, delta(1, (byte) 2), 10, delta(0, (byte) 1, (byte) 1))),
                REF);
        byte[] expected = new byte[8192];
        expected[0] = 1;
        expected[1] = 2;
        assertThat(page).isEqualTo(expected);
    }

    @Test
    void applyingStartsAtTheNewestImageAndIgnoresOlderVersions() throws PageApplyException {
        // an older version that would fail (a PG_RECORD without a redo engine) is never applied
        byte[] page = PageReplay.reconstruct(VersionList.of(list(30, delta(0, (byte) 5), 20, image(7), 10, pg(false, 10, 0))),
                REF);
        assertThat(page[0]).isEqualTo((byte) 5);
        assertThat(page[1]).isEqualTo((byte) 7);
    }

    @Test
    void aPgRecordWithoutARedoProviderFailsNamingRmgrInfoAndLsn() {
        assertThat(PgRecordKind.redoAvailable()).isFalse(); // page-core's test class path has no provider
        assertThatThrownBy(() -> PageReplay.reconstruct(VersionList.of(list(0x1_0000_0040L, pg(false, 11, 0x30),
                0x20, image(1))), REF))
                .isInstanceOfSatisfying(RedoUnsupportedException.class, e -> {
                    assertThat(e.rmgrId()).isEqualTo(11);
                    assertThat(e.info()).isEqualTo(0x30);
                    assertThat(e.lsn()).isEqualTo(0x1_0000_0040L);
                    assertThat(e.page()).isEqualTo(REF);
                    assertThat(e.getMessage()).contains("Btree (11)", "info 0x30", "1/40", REF.toString());
                });
    }

    @Test
    void streamingReplayAppliesPageByPage() throws PageApplyException {
        PageReplay replay = new PageReplay();
        replay.reset(REF);
        replay.apply(10, image(3));
        replay.apply(20, delta(8191, (byte) 9));
        assertThat(replay.page()[0]).isEqualTo((byte) 3);
        assertThat(replay.page()[8191]).isEqualTo((byte) 9);
        assertThat(replay.lastLsn()).isEqualTo(20);
        assertThat(replay.applied()).isEqualTo(2);
        replay.reset(REF);
        assertThat(replay.page()).isEqualTo(new byte[8192]);
        assertThatThrownBy(() -> replay.apply(30, pg(true, 10, 0))).isInstanceOf(RedoUnsupportedException.class);
        assertThatThrownBy(() -> new PageReplay().apply(1, image(1))).isInstanceOf(IllegalStateException.class);
    }

    /** Property: 200 seeded random delta chains match a byte-at-a-time model of the patch rules. */
    @Test
    void deltasMatchAByteAtATimeModel() throws PageApplyException {
        for (long seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            int[] model = new int[8192];
            List<V> newestFirst = new ArrayList<>();
            for (int d = 0, n = 1 + r.nextInt(20); d < n; d++) {
                List<Patch> patches = new ArrayList<>();
                for (int p = 0, m = 1 + r.nextInt(4); p < m; p++) {
                    int len = r.nextInt(50);
                    int off = r.nextInt(8192 - len + 1);
                    byte[] data = new byte[len];
                    r.nextBytes(data);
                    patches.add(new Patch(off, data));
                    for (int i = 0; i < len; i++) {
                        model[off + i] = data[i];
                    }
                }
                byte[] stored = StoredVersion.fromPayload(RecordType.PAGE_DELTA,
                        ByteBuffer.wrap(PagePayloads.delta(REF, patches)));
                newestFirst.add(0, new V(d + 1, stored));
            }
            byte[] page = PageReplay.reconstruct(VersionList.of(newestFirst), REF);
            byte[] expected = new byte[8192];
            for (int i = 0; i < 8192; i++) {
                expected[i] = (byte) model[i];
            }
            assertThat(Arrays.equals(page, expected)).as("seed %d", seed).isTrue();
        }
    }
}
