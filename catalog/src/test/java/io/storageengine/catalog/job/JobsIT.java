package io.storageengine.catalog.job;

import static io.storageengine.catalog.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.Fixtures;
import io.storageengine.catalog.lease.Lease;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Jobs}: a job's row from start to finish, idempotent both ways. */
class JobsIT {
    static Catalog catalog;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("jobs"));
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void compactionJobsAreRecordedFromStartToFinish() {
        Lease lease = catalog.leases().acquire(14, "w1", TTL).orElseThrow();
        UUID id = UUID.randomUUID();
        catalog.jobs().start(id, "L1", lease, List.of("a", "b"));
        catalog.jobs().start(id, "L1", lease, List.of("a", "b")); // retried: one row
        assertThat(catalog.jobs().recent(14, 10)).singleElement().satisfies(j -> {
            assertThat(j.status()).isEqualTo(CompactionJob.Status.RUNNING);
            assertThat(j.inputs()).containsExactly("a", "b");
            assertThat(j.endedAt()).isNull();
        });
        catalog.jobs().finish(id, CompactionJob.Status.SUCCEEDED, List.of("c"), 2000, 1500, null);
        catalog.jobs().finish(id, CompactionJob.Status.FAILED, List.of(), 0, 0, "late duplicate");
        CompactionJob j = catalog.jobs().recent(14, 10).getFirst();
        assertThat(j.status()).isEqualTo(CompactionJob.Status.SUCCEEDED);
        assertThat(j.outputs()).containsExactly("c");
        assertThat(j.bytesIn()).isEqualTo(2000);
        assertThat(j.endedAt()).isNotNull();
        assertThat(j.epoch()).isEqualTo(lease.epoch());
    }

    @Test
    void aJobCannotFinishAsRunningAndJobsAreListedNewestFirstPerPartition() throws InterruptedException {
        Lease lease = catalog.leases().acquire(20, "w1", TTL).orElseThrow();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        catalog.jobs().start(first, "L1", lease, List.of("a"));
        Thread.sleep(5);
        catalog.jobs().start(second, "IMAGE", lease, List.of("b"));
        assertThatThrownBy(() -> catalog.jobs().finish(first, CompactionJob.Status.RUNNING, List.of(), 0, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(catalog.jobs().recent(20, 10)).extracting(CompactionJob::id).containsExactly(second, first);
        assertThat(catalog.jobs().recent(20, 1)).extracting(CompactionJob::id).containsExactly(second);
        assertThat(catalog.jobs().recent(21, 10)).isEmpty();
    }
}
