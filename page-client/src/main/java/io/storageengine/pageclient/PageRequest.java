package io.storageengine.pageclient;

import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.RelTag;
import java.util.Objects;

/**
 * One GetPage@LSN request as the client builds it: tenant and timeline ids as text (32 hex digits or
 * a dashed UUID), the relation ({@code spc}, {@code db}, {@code rel} OIDs, fork by name or number),
 * the block, and the LSN ({@code 0}: the newest applied) with the optional {@code notModifiedSince}
 * promise ({@code 0}: none). Ids are checked by the server (INVALID_ARGUMENT), not here. Immutable.
 */
public record PageRequest(String tenant, String timeline, long spc, long db, long rel, String fork, long block,
                          long lsn, long notModifiedSince) {
    public PageRequest {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(timeline, "timeline");
        fork = fork == null ? "main" : fork;
    }

    /** A page of the main fork in the default tablespace (1663). */
    public static PageRequest of(String tenant, String timeline, long db, long rel, long block, long lsn) {
        return new PageRequest(tenant, timeline, 1663, db, rel, "main", block, lsn, 0);
    }

    public PageRequest withFork(String f) {
        return new PageRequest(tenant, timeline, spc, db, rel, f, block, lsn, notModifiedSince);
    }

    public PageRequest withSpc(long s) {
        return new PageRequest(tenant, timeline, s, db, rel, fork, block, lsn, notModifiedSince);
    }

    public PageRequest withBlock(long b) {
        return new PageRequest(tenant, timeline, spc, db, rel, fork, b, lsn, notModifiedSince);
    }

    public PageRequest withNotModifiedSince(long nms) {
        return new PageRequest(tenant, timeline, spc, db, rel, fork, block, lsn, nms);
    }

    /** The wire form with {@code requestId}. */
    public GetPageRequest toProto(long requestId) {
        return GetPageRequest.newBuilder()
                .setRequestId(requestId)
                .setTenant(tenant)
                .setTimeline(timeline)
                .setRel(RelTag.newBuilder().setSpc((int) spc).setDb((int) db).setRel((int) rel).setFork(fork))
                .setBlock((int) block)
                .setLsn(lsn)
                .setNotModifiedSince(notModifiedSince)
                .build();
    }
}
