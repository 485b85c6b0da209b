package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.ServiceLoader;

import io.storageengine.pagecore.PgRecordKind;
import io.storageengine.pagecore.PgRedo;
import io.storageengine.schemas.page.PageRef;
import org.junit.jupiter.api.Test;

/** The page-core SPI provider: discovery, replay, and the mapping of errors to page-core's exceptions. */
class PgRedoProviderTest {

    private static RedoFixtures.Entry entry(String name) throws IOException {
        List<RedoFixtures.Entry> entries;
        try (InputStream in = PgRedoProviderTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
        return entries.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        assertThat(ServiceLoader.load(PgRedo.class).findFirst()).get().isInstanceOf(PgRedoProvider.class);
        assertThat(PgRecordKind.redoAvailable()).isTrue();
    }

    @Test
    void replaysLikeTheEngine() throws Exception {
        RedoFixtures.Entry e = entry("Heap/INSERT");
        byte[] viaProvider = e.before().clone();
        byte[] viaEngine = e.before().clone();
        PageRef ref = e.decode().block(e.blockId()).pageRef();
        new PgRedoProvider().apply(viaProvider, ByteBuffer.wrap(e.record()).asReadOnlyBuffer(), e.blockId(), false,
                e.endLsn(), ref);
        new PgRedoEngine().apply(viaEngine, e.decode(), e.blockId(), e.endLsn());
        assertThat(viaProvider).isEqualTo(viaEngine);
    }

    @Test
    void errorsBecomePageCoreExceptions() throws Exception {
        RedoFixtures.Entry b = entry("Btree/INSERT_LEAF");
        byte[] rec = b.record().clone();
        rec[16] = (byte) (0xF0 | (rec[16] & 0x0F)); // xl_info: a Btree kind PostgreSQL 15 does not have
        PageRef bref = b.decode().block(b.blockId()).pageRef();
        assertThatThrownBy(() -> new PgRedoProvider().apply(b.before().clone(), ByteBuffer.wrap(rec), b.blockId(),
                false, b.endLsn(), bref))
                .isInstanceOfSatisfying(io.storageengine.pagecore.RedoUnsupportedException.class, x -> {
                    assertThat(x.rmgrId()).isEqualTo(11);
                    assertThat(x.info() & 0xF0).isEqualTo(0xF0);
                });
        RedoFixtures.Entry e = entry("Heap/DELETE");
        PageRef ref = e.decode().block(e.blockId()).pageRef();
        assertThatThrownBy(() -> new PgRedoProvider().apply(new byte[8192], ByteBuffer.wrap(e.record()), e.blockId(),
                false, e.endLsn(), ref))
                .isInstanceOf(io.storageengine.pagecore.RedoException.class)
                .hasMessageContaining("not initialized");
    }
}
