package io.storageengine.postgres.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.storageengine.pagecore.PgRedo;
import io.storageengine.schemas.page.PageRef;

/**
 * The page-versions core's {@link PgRedo} provider (found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.storageengine.pagecore.PgRedo}): PG_RECORD versions replay
 * through {@link PgRedoEngine}, and its errors become page-core's checked exceptions
 * ({@code redo-unsupported} with the record's {@code xl_rmid} and {@code xl_info}, or a corrupt
 * history naming the page and LSN).
 *
 * <p>{@code XLogHintBitIsNeeded()} of the WAL's server (data checksums or wal_log_hints) is read
 * once from the system property {@value #HINT_BITS_PROPERTY} (default false); it only decides
 * whether Heap2/VISIBLE stamps the heap page's LSN. Immutable and thread-safe.
 */
public final class PgRedoProvider implements PgRedo {

    /** System property: {@code true} when the WAL comes from a server with checksums or wal_log_hints. */
    public static final String HINT_BITS_PROPERTY = "storageengine.pg.hint-bits-logged";

    private final PgRedoEngine engine;

    public PgRedoProvider() {
        this(new PgRedoEngine(Boolean.getBoolean(HINT_BITS_PROPERTY)));
    }

    public PgRedoProvider(PgRedoEngine engine) {
        this.engine = engine;
    }

    @Override
    public void apply(byte[] page8192, ByteBuffer xlogRecord, int blockId, boolean willInit, long endLsn, PageRef ref)
            throws io.storageengine.pagecore.RedoUnsupportedException, io.storageengine.pagecore.RedoException {
        ByteBuffer rec = xlogRecord.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        try {
            engine.apply(page8192, rec.duplicate().order(ByteOrder.LITTLE_ENDIAN), blockId, willInit, endLsn);
        } catch (RedoUnsupportedException e) {
            int at = rec.position();
            int info = rec.remaining() > 17 ? rec.get(at + 16) & 0xFF : 0;
            int rmid = rec.remaining() > 17 ? rec.get(at + 17) & 0xFF : 0;
            throw new io.storageengine.pagecore.RedoUnsupportedException(rmid, info, endLsn, ref,
                    e.rmgr() + "/" + e.kind() + " is not implemented by the JVM redo engine");
        } catch (RedoException e) {
            throw new io.storageengine.pagecore.RedoException(ref, endLsn, e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new io.storageengine.pagecore.RedoException(ref, endLsn, "redo failed: " + e, e);
        }
    }
}
