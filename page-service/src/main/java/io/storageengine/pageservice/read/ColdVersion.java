package io.storageengine.pageservice.read;

import io.storageengine.pagecore.Versioned;

/**
 * One page version from the cold tier: its LSN and its StoredVersion bytes
 * ({@code type(1) | body}, see {@link io.storageengine.pagecore.StoredVersion}). The array is
 * owned by the read path once returned (a cold source hands out fresh or immutable arrays).
 */
public record ColdVersion(long lsn, byte[] stored) implements Versioned {
}
