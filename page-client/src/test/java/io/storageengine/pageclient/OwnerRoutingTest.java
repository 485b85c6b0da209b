package io.storageengine.pageclient;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageapi.v1.PartitionOwner;
import io.storageengine.pageapi.v1.RoutingRequest;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.pageclient.internal.OwnerRouting;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing each page to the owner of its partition: two in-process instances answer
 * {@code GetRouting} (A owns the even partitions, B the odd ones, each names itself by its HTTP
 * address); after {@link PageClient#refreshRouting} every page reaches the instance the service's
 * partitioner assigns it to. Without an owner map, or for an unknown owner, pages go to any target.
 */
class OwnerRoutingTest {
    private static final String TENANT = "0123456789abcdef0123456789abcdef";
    private static final String TIMELINE = "fedcba9876543210fedcba9876543210";
    private static final int PARTITIONS = 4;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A fake instance owning {@code parity} partitions, recording the blocks it is asked for. */
    private String instance(String http, int parity, List<Long> seen, boolean answersRouting) throws Exception {
        String name = InProcessServerBuilder.generateName();
        PageServiceGrpc.PageServiceImplBase impl = new PageServiceGrpc.PageServiceImplBase() {
            @Override
            public StreamObserver<GetPageRequest> getPages(StreamObserver<GetPageResponse> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(GetPageRequest r) {
                        seen.add((long) r.getBlock());
                        r.getMoreBlocksList().forEach(b -> seen.add((long) b));
                        out.onNext(PageClientTest.page(r));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }

            @Override
            public void getRouting(RoutingRequest request, StreamObserver<RoutingResponse> out) {
                if (!answersRouting) {
                    super.getRouting(request, out); // UNIMPLEMENTED, as an older server
                    return;
                }
                RoutingResponse.Builder b = RoutingResponse.newBuilder().setPartitionCount(PARTITIONS)
                        .setHttpAddress(http).setGrpcAddress(name);
                for (int p = 0; p < PARTITIONS; p++) {
                    b.addOwners(PartitionOwner.newBuilder().setPartition(p).setHttpAddress(p % 2 == 0 ? "a:8080" : "b:8080"));
                }
                out.onNext(b.build());
                out.onCompleted();
            }
        };
        Server server = InProcessServerBuilder.forName(name).directExecutor().addService(impl).build().start();
        open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return name;
    }

    private PageClient client(String... names) {
        PageClient.Builder b = PageClient.builder().retry(RetryPolicy.NONE).routingRefresh(null);
        for (String n : names) {
            b.channel(InProcessChannelBuilder.forName(n).directExecutor().build());
        }
        PageClient c = b.build();
        open.add(c);
        return c;
    }

    private static int partition(long block) {
        return Partitioning.partitionOf(new PageKey(TimelineKey.of(TENANT, TIMELINE),
                PageRef.of(1663, 5, 16384, Fork.MAIN, block)), PARTITIONS);
    }

    @Test
    void everyPageGoesToItsPartitionsOwner() throws Exception {
        List<Long> seenA = new CopyOnWriteArrayList<>();
        List<Long> seenB = new CopyOnWriteArrayList<>();
        PageClient c = client(instance("a:8080", 0, seenA, true), instance("b:8080", 1, seenB, true));
        assertThat(c.refreshRouting()).isEqualTo(PARTITIONS);
        List<PageRequest> batch = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            batch.add(PageRequest.of(TENANT, TIMELINE, 5, 16384, b, 0));
        }
        c.getPages(batch).get(10, TimeUnit.SECONDS);
        assertThat(seenA).hasSize((int) seenA.stream().filter(b -> partition(b) % 2 == 0).count());
        assertThat(seenB).allMatch(b -> partition(b) % 2 == 1);
        assertThat(seenA.size() + seenB.size()).isEqualTo(64);
        assertThat(seenA).isNotEmpty();
        assertThat(seenB).isNotEmpty();
        assertThat(c.metrics().find("se.client.page.routed").tag("to", "owner").counter().count()).isEqualTo(64);
    }

    @Test
    void withoutRoutingAnswersPagesGoToAnyTarget() throws Exception {
        List<Long> seenA = new CopyOnWriteArrayList<>();
        List<Long> seenB = new CopyOnWriteArrayList<>();
        PageClient c = client(instance("a:8080", 0, seenA, false), instance("b:8080", 1, seenB, false));
        assertThat(c.refreshRouting()).isZero();
        for (int b = 0; b < 10; b++) {
            c.getPage(PageRequest.of(TENANT, TIMELINE, 5, 16384, b, 0)).get(10, TimeUnit.SECONDS);
        }
        assertThat(seenA).hasSize(5); // round-robin
        assertThat(seenB).hasSize(5);
        assertThat(c.metrics().find("se.client.page.routed").tag("to", "any").counter().count()).isEqualTo(10);
    }

    @Test
    void ownersNotAmongTheTargetsAndMalformedIdsAreUnknown() {
        OwnerRouting r = new OwnerRouting();
        RoutingResponse onlyA = RoutingResponse.newBuilder().setPartitionCount(2).setHttpAddress("a:1")
                .addOwners(PartitionOwner.newBuilder().setPartition(0).setHttpAddress("a:1"))
                .addOwners(PartitionOwner.newBuilder().setPartition(1).setHttpAddress("elsewhere:1")).build();
        assertThat(r.update(Arrays.asList(onlyA, null))).isEqualTo(1);
        int[] targets = new int[2];
        for (int b = 0; b < 50; b++) {
            int t = r.targetOf(TENANT, TIMELINE, 1663, 5, 16384, "main", b);
            int p = Partitioning.partitionOf(new PageKey(TimelineKey.of(TENANT, TIMELINE),
                    PageRef.of(1663, 5, 16384, Fork.MAIN, b)), 2);
            assertThat(t).isEqualTo(p == 0 ? 0 : -1);
            targets[p]++;
        }
        assertThat(targets[0]).isPositive();
        assertThat(targets[1]).isPositive();
        assertThat(r.targetOf("nope", TIMELINE, 1663, 5, 16384, "main", 1)).isEqualTo(-1);
        assertThat(r.targetOf(TENANT, TIMELINE, 1663, 5, 16384, "branch", 1)).isEqualTo(-1);
    }
}
