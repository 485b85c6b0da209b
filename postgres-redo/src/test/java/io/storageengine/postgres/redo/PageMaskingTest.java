package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.storageengine.postgres.redo.internal.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageMaskingTest {

    private static byte[] heapPage() {
        Page p = new Page(new byte[Page.SIZE]);
        p.init(0);
        byte[] tuple = new byte[32];
        tuple[22] = 24; // t_hoff
        p.addItem(tuple, 0, 32, 0, false, true);
        return p.bytes();
    }

    @Test
    void lsnAndHintFlagsAreMaskedRealChangesAreNot() {
        byte[] ours = heapPage();
        byte[] theirs = ours.clone();
        Page t = new Page(theirs);
        t.setLsn(0x1234_5678L);
        t.setFlag(Page.PD_ALL_VISIBLE);
        assertThat(PageMasking.firstDifference(ours, theirs, RelationKind.HEAP, 3)).isEqualTo(-1);
        theirs[t.lpOff(1) + 30] = 7; // tuple data
        assertThat(PageMasking.firstDifference(ours, theirs, RelationKind.HEAP, 3)).isEqualTo(t.lpOff(1) + 30);
        assertThat(ours).isEqualTo(heapPage()); // arguments untouched
    }

    @Test
    void kindsFromTheCatalogAndWhatIsNotCompared() {
        assertThat(RelationKind.of("r", "heap")).isEqualTo(RelationKind.HEAP);
        assertThat(RelationKind.of("t", null)).isEqualTo(RelationKind.HEAP);
        assertThat(RelationKind.of("i", "btree")).isEqualTo(RelationKind.BTREE);
        assertThat(RelationKind.of("i", "spgist")).isEqualTo(RelationKind.SPGIST);
        assertThat(RelationKind.of("i", "bloom")).isEqualTo(RelationKind.OTHER);
        assertThat(RelationKind.of("S", "")).isEqualTo(RelationKind.OTHER);
        assertThat(PageMasking.comparable(RelationKind.SPGIST, 0)).isFalse();
        assertThat(PageMasking.comparable(RelationKind.SPGIST, 1)).isTrue();
        assertThatThrownBy(() -> PageMasking.mask(new byte[8192], RelationKind.OTHER, 0))
                .hasMessageContaining("not compared");
        assertThatThrownBy(() -> PageMasking.mask(new byte[100], RelationKind.HEAP, 0)).hasMessageContaining("100");
        assertThatThrownBy(() -> RelationKind.parse("toast")).hasMessageContaining("toast");
        assertThat(PageMasking.isNew(new byte[8192])).isTrue();
        assertThat(PageMasking.isNew(heapPage())).isFalse();
    }

    @Test
    void compareMainPrintsEqualOrTheFirstDifference(@TempDir Path tmp) throws Exception {
        byte[] ours = heapPage();
        byte[] theirs = ours.clone();
        new Page(theirs).setLsn(99);
        Path a = Files.write(tmp.resolve("a"), ours);
        Path b = Files.write(tmp.resolve("b"), theirs);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, a.toString(), b.toString(), "heap", "0")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo("equal");

        int off = new Page(theirs).lpOff(1) + 30; // tuple data (a change in unused space would be masked)
        theirs[off] ^= 1;
        Files.write(b, theirs);
        out.reset();
        assertThat(run(out, err, a.toString(), b.toString(), "heap", "0")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("differ at byte " + off + " ");

        Path small = Files.write(tmp.resolve("small"), new byte[10]);
        assertThat(run(out, err, a.toString(), small.toString(), "heap", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(small.toString()).contains("10 bytes");
        assertThat(run(out, err, a.toString(), b.toString(), "other", "0")).isEqualTo(2);
        assertThat(run(out, err, a.toString())).isEqualTo(2);
    }

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return PgPageCompare.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
