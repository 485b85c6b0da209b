package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VisibilityMapPage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgRedoEngineTest {

    static List<RedoFixtures.Entry> entries;
    final PgRedoEngine engine = new PgRedoEngine();

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = PgRedoEngineTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
    }

    static RedoFixtures.Entry entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void adapterFormEqualsDecodedForm() {
        RedoFixtures.Entry e = entry("Heap/INSERT");
        byte[] a = e.before().clone();
        byte[] b = e.before().clone();
        engine.apply(a, e.decode(), e.blockId(), e.endLsn());
        engine.apply(b, ByteBuffer.wrap(e.record()), e.blockId(), false, e.endLsn());
        assertThat(b).isEqualTo(a);
        assertThat(new Page(a).lsn()).isEqualTo(e.endLsn());
    }

    @Test
    void initRecordsNeedNoEarlierPage() {
        RedoFixtures.Entry e = entry("Heap/INSERT+INIT");
        byte[] page = new byte[Page.SIZE];
        engine.apply(page, ByteBuffer.wrap(e.record()), e.blockId(), true, e.endLsn());
        assertThat(new Page(page).maxOffset()).isEqualTo(1);
    }

    @Test
    void adapterChecksWillInitBlockIdAndBytes() {
        RedoFixtures.Entry e = entry("Heap/INSERT");
        assertThatThrownBy(() -> engine.apply(e.before().clone(), ByteBuffer.wrap(e.record()), e.blockId(), true,
                e.endLsn())).isInstanceOf(RedoException.class).hasMessageContaining("WILL_INIT");
        assertThatThrownBy(() -> engine.apply(e.before().clone(), ByteBuffer.wrap(e.record()), 7, false, e.endLsn()))
                .isInstanceOf(RedoException.class).hasMessageContaining("no block reference #7");
        byte[] cut = java.util.Arrays.copyOf(e.record(), 30);
        assertThatThrownBy(() -> engine.apply(e.before().clone(), ByteBuffer.wrap(cut), 0, false, e.endLsn()))
                .isInstanceOf(RedoException.class).hasMessageContaining("malformed record");
    }

    @Test
    void aRecordOnAnUninitializedPageIsAnError() {
        RedoFixtures.Entry e = entry("Heap/DELETE");
        assertThatThrownBy(() -> engine.apply(new byte[Page.SIZE], e.decode(), e.blockId(), e.endLsn()))
                .isInstanceOf(RedoException.class)
                .hasMessageContaining("not initialized")
                .satisfies(x -> assertThat(((RedoException) x).lsn()).isEqualTo(e.endLsn()));
    }

    @Test
    void aChainOfInsertsAppliesInOrder() throws IOException {
        RedoBenchFixture.Chain chain;
        try (InputStream in = PgRedoEngineTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            chain = RedoBenchFixture.heapInsertChain(in, 8);
        }
        byte[] page = chain.image().clone();
        int before = new Page(page).maxOffset();
        for (int i = 0; i < 8; i++) {
            engine.apply(page, ByteBuffer.wrap(chain.records()[i]), chain.blockId(), false, chain.endLsns()[i]);
        }
        assertThat(new Page(page).maxOffset()).isEqualTo(before + 8);
        assertThat(new Page(page).lsn()).isEqualTo(chain.endLsns()[7]);
    }

    @Test
    void vmTruncateClearsTheTailBits() {
        byte[] vm = new byte[Page.SIZE];
        new Page(vm).init(0);
        java.util.Arrays.fill(vm, Page.HEADER_SIZE, Page.SIZE, (byte) 0xFF);
        SmgrTruncateRedo.truncateVmPage(vm, 5);
        assertThat(VisibilityMapPage.bits(vm, 4)).isEqualTo(3);
        assertThat(VisibilityMapPage.bits(vm, 5)).isZero();
        assertThat(VisibilityMapPage.bits(vm, 6)).isZero();
        assertThat(vm[Page.SIZE - 1]).isZero();
        byte[] zero = new byte[Page.SIZE];
        SmgrTruncateRedo.truncateVmPage(zero, 9);
        assertThat(new Page(zero).upper()).as("a new VM page is initialized first").isEqualTo(Page.SIZE);
    }
}
