package io.storageengine.schemas.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageApplyTest {
    static final PageRef REF = PageRef.of(1663, 1, 2, Fork.MAIN, 3);

    static ByteBuffer body(List<Patch> patches) {
        byte[] stored = StoredVersion.fromPayload(RecordType.PAGE_DELTA, ByteBuffer.wrap(PagePayloads.delta(REF, patches)));
        return StoredVersion.body(stored);
    }

    @Test
    void withoutAnImageStartsFromZeros() {
        byte[] page = PageApply.reconstruct(null, List.of(body(List.of(new Patch(10, new byte[] {1, 2})))));
        byte[] expected = new byte[8192];
        expected[10] = 1;
        expected[11] = 2;
        assertThat(page).isEqualTo(expected);
    }

    @Test
    void patchesApplyInOrderWithinAndAcrossDeltas() {
        byte[] image = new byte[8192];
        Arrays.fill(image, (byte) 7);
        byte[] page = PageApply.reconstruct(image, List.of(
                body(List.of(new Patch(0, new byte[] {1, 1, 1}), new Patch(1, new byte[] {2}))),
                body(List.of(new Patch(2, new byte[] {3})))));
        assertThat(Arrays.copyOf(page, 4)).containsExactly(1, 2, 3, 7);
        assertThat(image[0]).isEqualTo((byte) 7); // the input image is not modified
    }

    @Test
    void storedVersionsApplyLikeRecords() {
        byte[] page = new byte[8192];
        byte[] img = new byte[8192];
        img[100] = 9;
        PageApply.applyStored(page, StoredVersion.image(img));
        byte[] delta = StoredVersion.fromPayload(RecordType.PAGE_DELTA,
                ByteBuffer.wrap(PagePayloads.delta(REF, List.of(new Patch(8191, new byte[] {5})))));
        PageApply.applyStored(page, delta);
        assertThat(page[100]).isEqualTo((byte) 9);
        assertThat(page[8191]).isEqualTo((byte) 5);
        assertThat(StoredVersion.type(delta)).isEqualTo(RecordType.PAGE_DELTA);
    }

    /** Property: 200 seeded random delta chains match a byte-at-a-time model of the same rules. */
    @Test
    void matchesAByteAtATimeModel() {
        for (long seed = 0; seed < 200; seed++) {
            matchesModel(seed);
        }
    }

    private static void matchesModel(long seed) {
        java.util.Random r = new java.util.Random(seed);
        int deltas = 1 + r.nextInt(20);
        int[] model = new int[8192];
        List<ByteBuffer> bodies = new ArrayList<>();
        for (int d = 0; d < deltas; d++) {
            List<Patch> patches = new ArrayList<>();
            for (int p = 0, n = 1 + r.nextInt(4); p < n; p++) {
                int len = r.nextInt(50);
                int off = r.nextInt(8192 - len + 1);
                byte[] data = new byte[len];
                r.nextBytes(data);
                patches.add(new Patch(off, data));
                for (int i = 0; i < len; i++) {
                    model[off + i] = data[i];
                }
            }
            bodies.add(body(patches));
        }
        byte[] page = PageApply.reconstruct(null, bodies);
        for (int i = 0; i < 8192; i++) {
            assertThat(page[i]).as("seed %d byte %d", seed, i).isEqualTo((byte) model[i]);
        }
    }
}
