package io.storageengine.pageservice.read;

import io.storageengine.schemas.wal.Lsn;

/**
 * A reconstructed page: its 8192 bytes, the LSN of the newest record applied to it
 * ({@code pageLsn}) and the LSN it is as of ({@code requestLsn}). The array is owned by the
 * caller (a fresh copy per read).
 */
public record PageVersion(byte[] page, Lsn pageLsn, Lsn requestLsn) {
}
