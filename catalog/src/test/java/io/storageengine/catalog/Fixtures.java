package io.storageengine.catalog;

import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.testsupport.LocalPostgres;
import java.time.Duration;

/** IT helpers: a fresh catalog database on the shared PostgreSQL, and segment metadata without files. */
public final class Fixtures {
    public static final Duration TTL = Duration.ofSeconds(30);

    private Fixtures() {
    }

    public static CatalogConfig freshDatabase(String prefix) {
        LocalPostgres pg = LocalPostgres.shared();
        return CatalogConfig.of(pg.jdbcUrl(pg.createDatabase(prefix)), pg.user(), pg.password());
    }

    public static byte[] key(int b) {
        byte[] k = new byte[57];
        k[48] = (byte) b;
        return k;
    }

    public static SegmentMeta l0(String name, int partition, long offsetStart, long offsetEnd) {
        return new SegmentMeta(name, SegmentKind.DELTA, 0, partition, key(1), key(2), offsetStart * 100, offsetEnd * 100,
                4096, 10, "dir", name, offsetStart, offsetEnd);
    }

    public static SegmentMeta l1(String name, int partition) {
        return new SegmentMeta(name, SegmentKind.DELTA, 1, partition, key(1), key(9), 0, 1000, 8192, 20, "dir", name, -1, -1);
    }
}
