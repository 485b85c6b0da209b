package io.storageengine.compactor.gc;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes segment files no reader can hold any more, for the partitions this worker leases:
 * <ul>
 *   <li>RETIRED segments retired longer than the grace period ago (longer than any read, so a
 *       reader that started on the old segment map has finished): file deleted, then the row is
 *       marked DELETED (lease-checked).</li>
 *   <li>Orphans of a directory store: files named {@code p<partition>-...} the catalog does not
 *       know, and writers' hidden temporary files, older than the grace period (left by a worker
 *       killed between writing and registering), unless this process still holds their name in
 *       {@link PendingOutputs} (a registration or swap not yet returned).</li>
 * </ul>
 * Thread-safe (stateless besides collaborators); run periodically by one thread.
 */
public final class RetiredFileReaper {
    private static final Logger LOG = LoggerFactory.getLogger(RetiredFileReaper.class);
    private static final Pattern PARTITION = Pattern.compile("^\\.?p(\\d+)-.*");

    private final Catalog catalog;
    private final SegmentStore store;
    private final Duration grace;
    private final PendingOutputs pending;

    public RetiredFileReaper(Catalog catalog, SegmentStore store, Duration grace, PendingOutputs pending) {
        this.catalog = catalog;
        this.store = store;
        this.grace = grace;
        this.pending = pending;
    }

    /**
     * One pass. {@code leaseOf} gives this worker's current lease of a partition, or null.
     *
     * @return files deleted
     */
    public int reap(IntFunction<Lease> leaseOf, Instant now) throws IOException {
        int deleted = 0;
        List<CatalogSegment> retired = catalog.segments().retiredBefore(now.minus(grace));
        for (CatalogSegment s : retired) {
            Lease lease = leaseOf.apply(s.meta().partition());
            if (lease == null || !store.name().equals(s.meta().store())) {
                continue;
            }
            store.delete(s.name());
            if (catalog.segments().markDeleted(lease, s.name())) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Deletes orphan files of leased partitions in a directory store; returns how many. */
    public int sweepOrphans(IntFunction<Lease> leaseOf, Instant now) throws IOException {
        if (!(store instanceof DirectorySegmentStore dir)) {
            return 0;
        }
        int deleted = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.directory())) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            Matcher m = PARTITION.matcher(name);
            if (!m.matches() || leaseOf.apply(Integer.parseInt(m.group(1))) == null || pending.holds(name)) {
                continue;
            }
            Instant modified;
            try {
                modified = Files.getLastModifiedTime(f).toInstant();
            } catch (IOException e) {
                continue; // deleted meanwhile
            }
            if (modified.isAfter(now.minus(grace))) {
                continue;
            }
            boolean temp = name.startsWith(".");
            if (temp || catalog.segments().segment(name).isEmpty()) {
                Files.deleteIfExists(f);
                deleted++;
                LOG.info("deleted orphan segment file {}", name);
            }
        }
        return deleted;
    }
}
