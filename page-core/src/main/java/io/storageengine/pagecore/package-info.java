/**
 * The page-versions core: the ONE place that decides what a page is.
 *
 * <ul>
 *   <li>{@link io.storageengine.pagecore.RecordKind}: the sealed hierarchy of page record kinds
 *       (PAGE_IMAGE, PAGE_DELTA, PG_RECORD); each says whether it initializes the page and applies
 *       itself. Code that handles kinds switches over it exhaustively, so a new kind fails to
 *       compile until every place handles it.</li>
 *   <li>{@link io.storageengine.pagecore.StoredVersion}: the bytes stored for one page version in
 *       the hot store and in segments, {@code type(1) | body}.</li>
 *   <li>{@link io.storageengine.pagecore.VersionChains}: the chain rules (what starts a chain,
 *       which of two versions at one LSN wins, what a reader needs down to which LSN, the merge of
 *       newest-first lists) and {@link io.storageengine.pagecore.PageReplay}, which applies a
 *       chain.</li>
 *   <li>{@link io.storageengine.pagecore.PgRedo}: the service-provider interface through which
 *       PG_RECORD versions are replayed by a PostgreSQL redo engine, with
 *       {@link io.storageengine.pagecore.RedoUnsupportedException} and
 *       {@link io.storageengine.pagecore.RedoException}.</li>
 * </ul>
 * Depends on {@code schemas} only (wire formats, PageRef, Lsn). Everything here is stateless or
 * immutable and thread-safe, except {@link io.storageengine.pagecore.PageReplay} instances.
 */
package io.storageengine.pagecore;
