package io.storageengine.pageservice.auth;

import io.storageengine.schemas.timeline.TenantId;
import java.util.Objects;

/**
 * What a verified token grants. {@link Scope#TENANT} tokens read one tenant ({@code tenant_id});
 * {@link Scope#PAGESERVERAPI} tokens read every tenant (operators, other services). Immutable.
 *
 * @param tenant the tenant of a {@code tenant} token; null for {@code pageserverapi}
 */
public record TokenClaims(Scope scope, TenantId tenant) {
    /** The {@code scope} claim's values (Neon's names). */
    public enum Scope {
        TENANT("tenant"),
        PAGESERVERAPI("pageserverapi");

        private final String claim;

        Scope(String claim) {
            this.claim = claim;
        }

        public String claim() {
            return claim;
        }

        /** @throws IllegalArgumentException for any other value */
        public static Scope parse(String claim) {
            for (Scope s : values()) {
                if (s.claim.equals(claim)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scope '" + claim + "' (tenant or pageserverapi)");
        }
    }

    public TokenClaims {
        Objects.requireNonNull(scope, "scope");
        if ((scope == Scope.TENANT) != (tenant != null)) {
            throw new IllegalArgumentException("a tenant token names exactly one tenant; a pageserverapi token none");
        }
    }

    /** Whether these claims may read {@code t}'s pages, relations and timelines. */
    public boolean mayRead(TenantId t) {
        return switch (scope) {
            case TENANT -> tenant.equals(t);
            case PAGESERVERAPI -> true;
        };
    }
}
