package io.storageengine.pageservice.cold;

import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.topology.trim.HotTrimming;
import io.storageengine.runtime.failpoint.Failpoints;
import io.storageengine.segments.segment.IoFault;
import io.storageengine.segments.segment.SegmentFaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code Main} wires: the read path's {@link ColdPageSource} and the topology's hot-store
 * trimmer, built from the {@code cold} config section. Disabled → {@link ColdPageSource#none()}
 * and no trimmer. Lifecycle: {@link #create}, pass {@link #trimming()} to the streams app and
 * {@link #source()} to the read path ({@code ReadPath}), {@link #start} with the WAL partition
 * count, {@link #close()} after the streams app. With {@link Failpoints}, every data block read from
 * a segment file passes the failpoint {@value #SEGMENT_READ} (drills: a slow or failing disk).
 * Thread-safe (immutable holder of thread-safe parts).
 */
public final class ColdTier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColdTier.class);
    /** The failpoint before every data block read from a segment file (block cache misses). */
    public static final String SEGMENT_READ = "segment-read";

    private final SegmentColdPageSource segments;
    private final HotTrimming trimming;

    private ColdTier(SegmentColdPageSource segments, HotTrimming trimming) {
        this.segments = segments;
        this.trimming = trimming;
    }

    public static ColdTier create(PageServiceConfig.Cold config, MeterRegistry registry) {
        return create(config, registry, Failpoints.none());
    }

    /** As above, segment block reads passing the failpoint {@value #SEGMENT_READ} of {@code failpoints}. */
    public static ColdTier create(PageServiceConfig.Cold config, MeterRegistry registry, Failpoints failpoints) {
        if (!config.enabled()) {
            LOG.info("Cold tier disabled: reads use the hot store only, nothing is trimmed");
            return new ColdTier(null, null);
        }
        return create(ColdTierSettings.from(config), registry, failpoints);
    }

    public static ColdTier create(ColdTierSettings settings, MeterRegistry registry) {
        return create(settings, registry, Failpoints.none());
    }

    /** As above, segment block reads passing the failpoint {@value #SEGMENT_READ} of {@code failpoints}. */
    public static ColdTier create(ColdTierSettings settings, MeterRegistry registry, Failpoints failpoints) {
        if (!settings.enabled()) {
            return new ColdTier(null, null);
        }
        SegmentColdPageSource source = SegmentColdPageSource.create(settings, registry, faults(failpoints));
        HotTrimming trim = settings.trim().enabled() ? new HotTrimming(source, settings.trim()) : null;
        if (trim != null && registry != null) {
            trim.bindTo(registry);
        }
        return new ColdTier(source, trim);
    }

    /** The segment store's hooks: {@value #SEGMENT_READ} on reads; the page service writes no segments. */
    static SegmentFaults faults(Failpoints failpoints) {
        IoFault read = failpoints.point(SEGMENT_READ)::hit;
        return new SegmentFaults(read, IoFault.NONE);
    }

    /** The cold tier for the read path. */
    public ColdPageSource source() {
        return segments == null ? ColdPageSource.none() : segments;
    }

    /** The trimmer for the topology, or null when trimming (or the cold tier) is off. */
    public HotTrimming trimming() {
        return trimming;
    }

    /** The catalog pools' health for {@code /health}; null when disabled or not connected yet. */
    public java.util.Map<String, Object> catalogHealth() {
        return segments == null ? null : segments.catalogHealth();
    }

    /** Starts the segment map refresh (no-op when disabled). */
    public ColdTier start(int walPartitions) {
        if (segments != null) {
            segments.start(walPartitions);
        }
        return this;
    }

    @Override
    public void close() {
        if (segments != null) {
            segments.close();
        }
    }
}
