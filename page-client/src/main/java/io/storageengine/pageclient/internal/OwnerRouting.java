package io.storageengine.pageclient.internal;

import io.storageengine.pageapi.v1.PartitionOwner;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which target owns a page: from the {@code GetRouting} answers of the client's targets, the map
 * partition → target (an owner is named by its HTTP address; each target's own answer says which
 * HTTP address is its), and a page's partition by the service's partitioner over its 49-byte page
 * key. {@link #targetOf} answers -1 when it cannot tell (no answer yet, partition without owner,
 * owner not among the targets, malformed ids): the caller then asks any target, which forwards.
 * Replaced wholesale on each refresh; reads are lock-free. Thread-safe.
 */
public final class OwnerRouting {
    private record Snapshot(int partitions, int[] targetOf) {
    }

    private volatile Snapshot snapshot = new Snapshot(0, new int[0]);

    /**
     * Rebuilds the map from {@code answers}, index = target index (null: that target did not
     * answer). The partition count and owners come from the answer naming the most owners.
     * @return partitions routed to a target
     */
    public int update(List<RoutingResponse> answers) {
        Map<String, Integer> targetByHttp = new HashMap<>();
        RoutingResponse best = null;
        for (int i = 0; i < answers.size(); i++) {
            RoutingResponse r = answers.get(i);
            if (r == null) {
                continue;
            }
            if (!r.getHttpAddress().isEmpty()) {
                targetByHttp.putIfAbsent(r.getHttpAddress(), i);
            }
            if (r.getPartitionCount() > 0 && (best == null || r.getOwnersCount() > best.getOwnersCount())) {
                best = r;
            }
        }
        if (best == null) {
            snapshot = new Snapshot(0, new int[0]);
            return 0;
        }
        int[] map = new int[best.getPartitionCount()];
        Arrays.fill(map, -1);
        int routed = 0;
        for (PartitionOwner o : best.getOwnersList()) {
            Integer t = targetByHttp.get(o.getHttpAddress());
            if (t != null && o.getPartition() < map.length) {
                map[o.getPartition()] = t;
                routed++;
            }
        }
        snapshot = new Snapshot(map.length, map);
        return routed;
    }

    /** The target owning the page, or -1 when not known. */
    public int targetOf(String tenant, String timeline, long spc, long db, long rel, String fork, long block) {
        Snapshot s = snapshot;
        if (s.partitions() == 0) {
            return -1;
        }
        try {
            PageKey key = new PageKey(TimelineKey.of(tenant, timeline), PageRef.of(spc, db, rel, Fork.parse(fork), block));
            return s.targetOf()[Partitioning.partitionOf(key, s.partitions())];
        } catch (IllegalArgumentException e) {
            return -1; // malformed: any instance answers it with INVALID_ARGUMENT
        }
    }
}
