package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.topology.PartitionMarks;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /ownership} on the admin socket: the partitions held here, their role, LSN and lag. */
class OwnershipRouteTest {
    private final TestServer server = new TestServer();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void listsThePartitionsHeldHereWithRoleLsnAndLag() throws IOException {
        server.partitions = List.of(new Ownership.PartitionStatus(1, PartitionMarks.Role.ACTIVE, 0x1_0000_0010L, 0),
                new Ownership.PartitionStatus(3, PartitionMarks.Role.STANDBY, 0x20L, -1));
        HttpResponse<byte[]> r = server.getAdmin("/ownership");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = Json.parse(r.body());
        assertThat(n.get("ready").asBoolean()).isTrue();
        assertThat(n.get("partitions")).hasSize(2);
        JsonNode first = n.get("partitions").get(0);
        assertThat(first.get("partition").asInt()).isEqualTo(1);
        assertThat(first.get("role").asText()).isEqualTo("active");
        assertThat(first.get("applied_lsn").asText()).isEqualTo("1/10");
        assertThat(first.get("lag").asLong()).isZero();
        JsonNode second = n.get("partitions").get(1);
        assertThat(second.get("role").asText()).isEqualTo("standby");
        assertThat(second.get("lag").asLong()).isEqualTo(-1);
    }

    @Test
    void isNotOnThePageApiSocket() throws IOException {
        assertThat(server.get("/ownership").statusCode()).isEqualTo(404);
    }

    @Test
    void reportsNotReady() throws IOException {
        server.ready.set(false);
        JsonNode n = Json.parse(server.getAdmin("/ownership").body());
        assertThat(n.get("ready").asBoolean()).isFalse();
        assertThat(n.get("partitions")).isEmpty();
    }
}
