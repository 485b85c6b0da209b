package io.storageengine.pageservice.read;

import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;

/**
 * A timeline's status: the newest LSN applied on every partition this instance knows
 * ({@code lastAppliedLsn}), the newest LSN durable in segments ({@code durableLsn}, {@link Lsn#ZERO}
 * if none) and the GC horizon ({@link Lsn#ZERO} if none). Immutable.
 */
public record TimelineStatus(TimelineKey timeline, Lsn lastAppliedLsn, Lsn durableLsn, Lsn gcHorizon) {
}
