package io.storageengine.segments.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.store.SegmentStore;
import org.junit.jupiter.api.Test;

class SegmentNamesTest {

    @Test
    void namesAreValidStoreNamesUniqueAndSortByPartitionLevelAndLsn() {
        String a = SegmentNames.newName(SegmentKind.DELTA, 0, 3, 0x1A2B3C0L, 0x1A2F000L);
        String b = SegmentNames.newName(SegmentKind.DELTA, 0, 3, 0x1A2B3C0L, 0x1A2F000L);
        assertThat(a).startsWith("p00003-L0-delta-0000000001A2B3C0-0000000001A2F000-").endsWith(".seg");
        assertThat(a).isNotEqualTo(b);
        assertThat(SegmentStore.NAME.matcher(a).matches()).isTrue();
        assertThat(SegmentNames.newName(SegmentKind.DELTA, 0, 3, 5, 9))
                .isLessThan(SegmentNames.newName(SegmentKind.DELTA, 0, 3, 6, 9))
                .isLessThan(SegmentNames.newName(SegmentKind.DELTA, 1, 3, 0, 0))
                .isLessThan(SegmentNames.newName(SegmentKind.DELTA, 0, 4, 0, 0));
    }
}
