package io.storageengine.catalog.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.Fixtures;
import io.storageengine.schemas.timeline.TimelineKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Timelines}: GC horizons only rise, last applied LSNs only rise, timelines are created on first sight. */
class TimelinesIT {
    static Catalog catalog;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("timelines"));
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void gcHorizonOnlyMovesForwardAndTimelinesAreTracked() {
        TimelineKey t = TimelineKey.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        assertThat(catalog.timelines().gcHorizon(t)).isEmpty();
        catalog.timelines().touch(t, 500);
        assertThat(catalog.timelines().gcHorizon(t)).hasValue(0);
        assertThat(catalog.timelines().raiseGcHorizon(t, 1000)).isEqualTo(1000);
        assertThat(catalog.timelines().raiseGcHorizon(t, 900)).isEqualTo(1000);
        assertThat(catalog.timelines().gcHorizon(t)).hasValue(1000);
        catalog.timelines().touch(t, 400);
        TimelineInfo info = catalog.timelines().find(t).orElseThrow();
        assertThat(info.lastAppliedLsn()).isEqualTo(500);
        assertThat(info.lastSeen()).isAfterOrEqualTo(info.firstSeen());

        TimelineKey fresh = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");
        catalog.timelines().raiseGcHorizon(fresh, 7);
        assertThat(catalog.timelines().find(fresh).orElseThrow().lastAppliedLsn()).isEqualTo(-1); // never applied
        assertThat(catalog.timelines().all()).extracting(TimelineInfo::key).contains(t, fresh);
    }
}
