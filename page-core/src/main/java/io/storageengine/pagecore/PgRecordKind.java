package io.storageengine.pagecore;

import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * PG_RECORD: one PostgreSQL WAL record, replayed for one of its block references by the
 * {@link PgRedo} provider. Stored as {@code 0x04 | u8 blockId | u8 flags | u16 pgMajor | XLogRecord}
 * (see {@link PgRecordFormat}). Starts a chain when its WILL_INIT flag is set.
 *
 * <p>The provider is looked up once with {@link ServiceLoader} when this class is initialized and
 * held in a final field; without one (or if it fails to load), {@link #apply} throws
 * {@link RedoUnsupportedException} naming the record's resource manager, info byte and LSN.
 * Thread-safe if the provider is.
 */
public final class PgRecordKind implements RecordKind {
    private static final String NO_PROVIDER = "no PostgreSQL redo engine (PgRedo provider) on the class path";
    static final PgRecordKind INSTANCE = load();

    private final PgRedo redo;
    /** Why {@link #redo} is null. */
    private final String unavailable;

    private PgRecordKind(PgRedo redo, String unavailable) {
        this.redo = redo;
        this.unavailable = unavailable;
    }

    /** A kind that replays through {@code redo} (null: none), for tests and explicit wiring. */
    public static PgRecordKind withRedo(PgRedo redo) {
        return new PgRecordKind(redo, NO_PROVIDER);
    }

    /** True if the process found a {@link PgRedo} provider. */
    public static boolean redoAvailable() {
        return INSTANCE.redo != null;
    }

    /**
     * Looks the provider up. A provider that fails to load leaves PG_RECORD unsupported (its error
     * named in every {@link RedoUnsupportedException}) rather than breaking the other kinds.
     */
    private static PgRecordKind load() {
        try {
            PgRedo redo = ServiceLoader.load(PgRedo.class, PgRedo.class.getClassLoader()).findFirst().orElse(null);
            return new PgRecordKind(redo, NO_PROVIDER);
        } catch (ServiceConfigurationError e) {
            return new PgRecordKind(null, "the PgRedo provider failed to load: " + e.getMessage());
        }
    }

    @Override
    public RecordType type() {
        return RecordType.PG_RECORD;
    }

    @Override
    public boolean initializesPage(byte[] stored) {
        return (StoredVersion.pgFlags(stored) & PgRecordFormat.WILL_INIT) != 0;
    }

    @Override
    public void apply(byte[] page, byte[] stored, ApplyContext context) throws RedoUnsupportedException, RedoException {
        ByteBuffer record = StoredVersion.pgRecord(stored);
        if (redo == null) {
            throw new RedoUnsupportedException(PgRecordFormat.rmgrId(record), PgRecordFormat.info(record),
                    context.lsn(), context.page(), unavailable);
        }
        redo.apply(page, record, StoredVersion.blockId(stored), initializesPage(stored), context.lsn(), context.page());
    }

    @Override
    public String toString() {
        return "PG_RECORD";
    }
}
