package io.storageengine.pagecore;

import static io.storageengine.pagecore.Versions.REF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.PgRecordFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgRecordKindTest {

    /** Records its calls and writes the record's first data byte at the page's start. */
    static final class FakeRedo implements PgRedo {
        final List<String> calls = new ArrayList<>();

        @Override
        public void apply(byte[] page, ByteBuffer rec, int blockId, boolean willInit, long endLsn, PageRef ref)
                throws RedoException {
            calls.add(rec.getInt(rec.position()) + "/" + blockId + "/" + willInit + "/" + endLsn + "/" + ref);
            if (PgRecordFormat.info(rec) == 0xFF) {
                throw new RedoException(ref, endLsn, "item offset past the page end");
            }
            page[0] = rec.get(rec.position() + 24);
        }
    }

    @Test
    void aProviderReceivesTheRecordBlockIdFlagAndLsn() throws PageApplyException {
        FakeRedo redo = new FakeRedo();
        PgRecordKind kind = PgRecordKind.withRedo(redo);
        byte[] stored = StoredVersion.pgRecord(4, PgRecordFormat.WILL_INIT | PgRecordFormat.REDUCED,
                Versions.xlog(10, 0x10, (byte) 42));
        byte[] page = new byte[8192];
        kind.apply(page, stored, ApplyContext.of(0x99, REF, stored));
        assertThat(page[0]).isEqualTo((byte) 42);
        assertThat(redo.calls).containsExactly("25/4/true/153/" + REF);
        assertThat(kind.initializesPage(stored)).isTrue();
        assertThat(kind.initializesPage(StoredVersion.pgRecord(4, PgRecordFormat.REDUCED, Versions.xlog(10, 0)))).isFalse();
    }

    @Test
    void aRecordThatDoesNotFitThePageFailsNamingPageAndLsn() {
        PgRecordKind kind = PgRecordKind.withRedo(new FakeRedo());
        byte[] stored = StoredVersion.pgRecord(0, 0, Versions.xlog(10, 0xFF, (byte) 1));
        assertThatThrownBy(() -> kind.apply(new byte[8192], stored, ApplyContext.of(0x2_0000_0010L, REF, stored)))
                .isInstanceOfSatisfying(RedoException.class, e -> {
                    assertThat(e.page()).isEqualTo(REF);
                    assertThat(e.lsn()).isEqualTo(0x2_0000_0010L);
                    assertThat(e.getMessage()).contains("2/10", REF.toString(), "item offset");
                });
    }

    @Test
    void withoutAProviderTheKindThrowsRedoUnsupported() {
        byte[] stored = StoredVersion.pgRecord(0, 0, Versions.xlog(21, 0x00));
        assertThatThrownBy(() -> PgRecordKind.withRedo(null).apply(new byte[8192], stored, ApplyContext.of(7, REF, stored)))
                .isInstanceOfSatisfying(RedoUnsupportedException.class,
                        e -> assertThat(e.getMessage()).contains("LogicalMessage (21)", "info 0x00", "0/7"));
        assertThat(RedoUnsupportedException.rmgrName(200)).isEqualTo("rmgr 200");
    }

    @Test
    void everyPageRecordTypeHasOneKind() {
        for (var t : io.storageengine.schemas.wal.RecordType.values()) {
            if (t.isPageRecord()) {
                assertThat(RecordKind.of(t).type()).isEqualTo(t);
                assertThat(RecordKind.ofCode(t.codeByte())).isSameAs(RecordKind.of(t));
            } else {
                assertThatThrownBy(() -> RecordKind.of(t)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
