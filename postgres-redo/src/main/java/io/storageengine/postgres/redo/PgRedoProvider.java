package io.storageengine.postgres.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.storageengine.pagecore.PgRedo;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.PgRecordFormat;

/**
 * The page-versions core's {@link PgRedo} provider (found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.storageengine.pagecore.PgRedo}): PG_RECORD versions replay
 * through {@link PgRedoEngine}, VM_OF_BLOCK versions (WAL format 1.2) through
 * {@link VisibilityMapRedo#applyFrame} (the record's implicit visibility-map clears, no LSN stamp,
 * a new page initialized as PostgreSQL's {@code vm_readbuf} does), and their errors become page-core's checked exceptions
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
    public void apply(byte[] page8192, ByteBuffer xlogRecord, int blockId, int flags, long endLsn, PageRef ref)
            throws io.storageengine.pagecore.RedoUnsupportedException, io.storageengine.pagecore.RedoException {
        ByteBuffer rec = xlogRecord.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        try {
            if ((flags & PgRecordFormat.VM_OF_BLOCK) != 0) {
                applyVm(page8192, rec.duplicate().order(ByteOrder.LITTLE_ENDIAN), blockId, endLsn, ref);
                return;
            }
            engine.apply(page8192, rec.duplicate().order(ByteOrder.LITTLE_ENDIAN), blockId,
                    (flags & PgRecordFormat.WILL_INIT) != 0, endLsn);
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

    private static void applyVm(byte[] page8192, ByteBuffer rec, int blockId, long endLsn, PageRef ref) {
        DecodedRecord d;
        try {
            d = DecodedRecord.decode(rec, endLsn, false);
        } catch (WalFormatException e) {
            throw new RedoException(ref.toString(), endLsn, "malformed record: " + e.getMessage(), e);
        }
        VisibilityMapRedo.applyFrame(page8192, ref, d, blockId, endLsn);
    }
}
