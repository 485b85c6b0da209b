/**
 * Garbage collection. Which segments to retire is a planning decision
 * ({@link io.storageengine.compactor.compaction.LeveledPlanner#retirable}: shadowed by an image at or
 * below the timeline's horizon, horizon = explicit catalog horizon, else newest LSN minus the
 * retention); retiring is a catalog swap; {@link io.storageengine.compactor.gc.RetiredFileReaper}
 * deletes the files after the grace period.
 */
package io.storageengine.compactor.gc;
