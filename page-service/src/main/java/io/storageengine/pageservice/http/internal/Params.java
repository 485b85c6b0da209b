package io.storageengine.pageservice.http.internal;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;

/**
 * Parsing of path and query values per page-api.md (ids as 32 hex digits or dashed UUIDs, LSNs as
 * {@code X/Y} or decimal, forks by name or 0–3, unsigned 32-bit numbers); every malformed value is
 * an {@link ApiException#badRequest} naming the parameter. Stateless.
 */
public final class Params {
    private Params() {
    }

    public static TimelineKey timeline(String tenant, String timeline) {
        return new TimelineKey(tenant(tenant), timelineId(timeline));
    }

    public static TenantId tenant(String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest("missing tenant id");
        }
        try {
            return TenantId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public static TimelineId timelineId(String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest("missing timeline id");
        }
        try {
            return TimelineId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** An LSN, or null when {@code text} is null (parameter absent). */
    public static Lsn lsnOrNull(String name, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Lsn.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + ": " + e.getMessage());
        }
    }

    /** Checks page-api.md's rule {@code not_modified_since <= lsn}. */
    public static void checkNotModifiedSince(Lsn lsn, Lsn notModifiedSince) {
        if (lsn != null && notModifiedSince != null && notModifiedSince.isAfter(lsn)) {
            throw ApiException.badRequest("not_modified_since " + notModifiedSince + " is after lsn " + lsn);
        }
    }

    /** A fork by name or number; {@code main} when absent. */
    public static Fork fork(String text) {
        if (text == null) {
            return Fork.MAIN;
        }
        try {
            return Fork.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("fork: " + e.getMessage());
        }
    }

    /** An unsigned 32-bit decimal number (OIDs, block numbers); {@code def} when absent. */
    public static long u32(String name, String text, long def) {
        if (text == null) {
            return def;
        }
        return u32(name, text);
    }

    public static long u32(String name, String text) {
        if (text == null || text.isEmpty() || text.length() > 10) {
            throw ApiException.badRequest(name + ": expected an unsigned 32-bit number, got '" + text + "'");
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw ApiException.badRequest(name + ": expected an unsigned 32-bit number, got '" + text + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v > 0xFFFF_FFFFL) {
            throw ApiException.badRequest(name + ": " + text + " is larger than 4294967295");
        }
        return v;
    }
}
