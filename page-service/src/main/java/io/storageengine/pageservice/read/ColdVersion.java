package io.storageengine.pageservice.read;

/**
 * One page version from the cold tier: its LSN and its StoredVersion bytes
 * ({@code type(1) | body}, see {@link io.storageengine.schemas.page.StoredVersion}). The array is
 * owned by the read path once returned (a cold source hands out fresh or immutable arrays).
 */
public record ColdVersion(long lsn, byte[] stored) {
}
