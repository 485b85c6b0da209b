/**
 * Redo internals: page primitives ({@code bufpage.c}), tuple layouts, masking ({@code bufmask.c}
 * and the rmgr masks), and one class per resource manager with the redo routines of PostgreSQL
 * 15, run for one target block at a time ({@link io.storageengine.postgres.redo.internal.BlockRedo}
 * is {@code XLogReadBufferForRedo} for that block). Not a public API.
 */
package io.storageengine.postgres.redo.internal;
