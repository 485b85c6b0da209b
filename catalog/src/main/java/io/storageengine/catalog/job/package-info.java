/** Compaction history, one row per job. */
package io.storageengine.catalog.job;
