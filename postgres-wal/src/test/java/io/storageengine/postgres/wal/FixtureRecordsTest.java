package io.storageengine.postgres.wal;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real PostgreSQL 15 records (written by {@link PgWaldumpParityIT} with {@code -Dpgwal.fixtures.out})
 * decode exactly as {@code pg_waldump -b} printed them, CRC included, and their images (none,
 * pglz, LZ4, zstd) restore to consistent pages.
 */
class FixtureRecordsTest {

    @Test
    void fixtureRecordsMatchPgWaldump() throws Exception {
        List<Fixtures.Entry> entries = Fixtures.resource("pg15.records");
        List<Waldump.Rec> dump = Waldump.parse(Fixtures.text("pg15.waldump.txt"));
        assertThat(entries).hasSameSizeAs(dump).hasSizeGreaterThan(30);
        int images = 0;
        for (int i = 0; i < entries.size(); i++) {
            Fixtures.Entry e = entries.get(i);
            DecodedRecord r = e.decode();
            assertThat(r.crcValid()).isTrue();
            assertThat(r.endLsn().value()).isEqualTo(e.endLsn());
            assertThat(e.endLsn() - e.startLsn()).isGreaterThanOrEqualTo(r.totalLength());
            DecodedRecord withStart = DecodedRecord.decodeOwned(e.bytes().clone(), io.storageengine.schemas.wal.Lsn.of(e.startLsn()),
                    r.endLsn(), true);
            Waldump.assertSame(withStart, dump.get(i));
            images += (int) r.blocks().stream().filter(BlockRef::hasImage).count();
        }
        assertThat(images).isGreaterThan(20);
        assertThat(entries.stream().map(Fixtures.Entry::decode).flatMap(r -> r.blocks().stream())
                .filter(BlockRef::hasImage).map(b -> b.image().compression()).distinct())
                .containsExactlyInAnyOrder(BlockImage.Compression.values());
    }
}
