package io.storageengine.pageservice.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.schemas.wal.Lsn;
import java.util.Locale;

/**
 * {@code GET /ownership} on the admin socket (operators and {@code ./se status}, not the page API):
 * the WAL partitions this instance holds and in which role, as JSON {@code {"ready": bool,
 * "partitions": [{"partition", "role" (active|standby), "applied_lsn" (X/Y), "lag" (records, -1
 * unknown)}]}}, ascending by partition. The same numbers as the {@code se_partition_*} gauges, in
 * one answer. Not authenticated (admin socket), not rate limited. Stateless; thread-safe.
 */
public final class OwnershipService implements HttpService {
    private final Services services;

    public OwnershipService(Services services) {
        this.services = services;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/ownership", services.timed("ownership", this::ownership));
    }

    private void ownership(ServerRequest req, ServerResponse res) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("ready", services.ready().getAsBoolean());
        ArrayNode parts = n.putArray("partitions");
        for (Ownership.PartitionStatus p : services.ownership().partitions()) {
            ObjectNode o = parts.addObject();
            o.put("partition", p.partition());
            o.put("role", p.role().name().toLowerCase(Locale.ROOT));
            o.put("applied_lsn", Lsn.format(p.appliedLsn()));
            o.put("lag", p.lag());
        }
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
        res.send(Json.bytes(n));
    }
}
