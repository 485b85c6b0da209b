package io.storageengine.pageservice.ownership;

import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.schemas.page.PageKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Who serves which page, readiness, and per-partition progress: the one ownership type of the page
 * service, implemented by the streams side from the Kafka Streams view of the group
 * ({@code streams.StreamsOwnership}) and used as is by the HTTP layer, which asks {@link #ownerOf}
 * per request: {@link Local} → read here through the {@code PageReader}; {@link Remote} → forward
 * to the owner's page API; {@link Unavailable} → 503 with {@code Retry-After}. Implementations are
 * thread-safe and cheap enough to call per request.
 */
public interface Ownership {

    /** Where a page is served now. */
    Owner ownerOf(PageKey key);

    /**
     * True when the Streams client is RUNNING and every partition assigned here as active has
     * finished restoring and is being processed.
     */
    boolean ready();

    /** Progress of every partition held here (active and standby), ascending by partition. */
    List<PartitionStatus> partitions();

    /**
     * Which instance owns each WAL partition now, for clients that route each page straight to its
     * owner (the gRPC {@code GetRouting} call). Default: {@link Routing#UNKNOWN}.
     */
    default Routing routing() {
        return Routing.UNKNOWN;
    }

    /**
     * The WAL topic's partition count (0: unknown) and the page API address ({@code host:port}, as
     * forwarding uses it) of each partition's active owner; a partition with no owner now is absent.
     */
    record Routing(int partitionCount, java.util.Map<Integer, String> owners) {
        public static final Routing UNKNOWN = new Routing(0, java.util.Map.of());

        public Routing {
            owners = java.util.Map.copyOf(owners);
        }
    }

    /** Where a page's partition is served. */
    sealed interface Owner permits Local, Remote, Unavailable {
        /** The page's {@code wal} partition. */
        int partition();
    }

    /** Served here: by the active task, or by a standby replica whose lag is within the bound. */
    record Local(int partition, PartitionMarks.Role role) implements Owner {
        public Local {
            Objects.requireNonNull(role, "role");
        }
    }

    /** Served by another instance, whose page API listens on {@code host:port}. */
    record Remote(int partition, String host, int port) implements Owner {
        public Remote {
            Objects.requireNonNull(host, "host");
        }
    }

    /** Nobody can serve it now (rebalancing, restoring, not running); retry after {@code retryAfter}. */
    record Unavailable(int partition, Duration retryAfter, String reason) implements Owner {
        public Unavailable {
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * One partition held here: its role, the highest applied watermark over its timelines (raw
     * unsigned LSN, 0 if none), and its lag in records (active: behind the WAL partition's end;
     * standby: behind the changelog's end; -1 if not known yet).
     */
    record PartitionStatus(int partition, PartitionMarks.Role role, long appliedLsn, long lag) {
    }
}
