package io.storageengine.segments;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.segments.segment.BlockCache;
import org.junit.jupiter.api.Test;

class SegmentsMetricsTest {

    @Test
    void bindsTheMetersOfTheObjectsGivenAndSkipsMissingOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SegmentsMetrics(null, new BlockCache(1024), null).bindTo(registry);
        assertThat(registry.find("se.segments.block.cache.hits").functionCounter()).isNotNull();
        assertThat(registry.find("se.segments.block.cache.bytes").gauge().value()).isZero();
        assertThat(registry.find("se.segments.catalog.retries").functionCounter()).isNull();
    }
}
