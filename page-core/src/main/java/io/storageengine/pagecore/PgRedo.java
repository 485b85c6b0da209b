package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import java.nio.ByteBuffer;

/**
 * Service-provider interface of a PostgreSQL redo engine: replays one block reference of one
 * PostgreSQL WAL record onto one page, as PostgreSQL's redo routines do during recovery.
 *
 * <p>Discovery: {@link java.util.ServiceLoader}, once per process, when PG_RECORD support is first
 * used. A provider module (e.g. {@code postgres-redo}) lists its class in
 * {@code META-INF/services/io.storageengine.pagecore.PgRedo}; the first provider found is used.
 * With none on the class path, applying a PG_RECORD throws {@link RedoUnsupportedException}.
 *
 * <p>Implementations must be thread-safe (called concurrently by readers and compaction), must
 * not keep references to the arguments after returning, and need a public no-argument constructor
 * that does not use page-core's record kinds (it runs while they are being initialized).
 */
public interface PgRedo {

    /**
     * Replays block reference {@code blockId} of {@code xlogRecord} onto {@code page8192}, in place.
     *
     * @param page8192 the page as it was just before this record (all zeros before the first
     *        record of a chain); modified in place; on an exception its content is unspecified
     * @param xlogRecord the whole PostgreSQL {@code XLogRecord} ({@code xl_tot_len} bytes from its
     *        position), read-only, little-endian; with the REDUCED flag the full-page images of the
     *        other block references are removed (their {@code BKPBLOCK_HAS_IMAGE} bits cleared)
     * @param blockId the block reference of the record that names this page
     * @param willInit the record initializes the page (WILL_INIT): {@code page8192} is not to be read
     * @param endLsn the record's end LSN; the page LSN the redo sets
     * @param ref the page, for messages and checks
     * @throws RedoUnsupportedException the engine cannot replay this kind of record (resource
     *         manager or info not implemented): nothing is returned rather than a wrong page
     * @throws RedoException the record cannot apply to this page (e.g. an item offset past the
     *         page's end): corrupt history
     */
    void apply(byte[] page8192, ByteBuffer xlogRecord, int blockId, boolean willInit, long endLsn, PageRef ref)
            throws RedoUnsupportedException, RedoException;
}
