package io.storageengine.segments.segment;

import io.storageengine.schemas.segment.SegmentKind;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names for new segment files, unique without coordination and readable in listings:
 * {@code p<partition>-L<level>-<kind>-<minLsn hex16>-<maxLsn hex16>-<random hex8>.seg}, e.g.
 * {@code p00003-L0-delta-0000000001A2B3C0-0000000001A2F000-9f86d081.seg}. Names sort by
 * partition, level, kind, then LSN. Thread-safe.
 */
public final class SegmentNames {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentNames() {
    }

    public static String newName(SegmentKind kind, int level, int partition, long minLsn, long maxLsn) {
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        return String.format(Locale.ROOT, "p%05d-L%d-%s-%016X-%016X-%s.seg", partition, level,
                kind.name().toLowerCase(Locale.ROOT), minLsn, maxLsn, HexFormat.of().formatHex(suffix));
    }

    /** A name for the segment {@code info} describes. */
    public static String newName(SegmentInfo info) {
        return newName(info.kind(), info.level(), info.partition(), info.minLsn(), info.maxLsn());
    }
}
