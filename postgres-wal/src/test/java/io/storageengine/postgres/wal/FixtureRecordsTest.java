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

    /**
     * The consecutive chain (wal_consistency_checking = 'all'): every record of the range in order,
     * each prev-link the previous record's start, every block with a not-applied image of the page
     * after the record; all as pg_waldump printed them.
     */
    @Test
    void chainFixtureIsConsecutiveAndMatchesPgWaldump() throws Exception {
        List<Fixtures.Entry> entries = Fixtures.resource("pg15-chain.records");
        List<Waldump.Rec> dump = Waldump.parse(Fixtures.text("pg15-chain.waldump.txt"));
        assertThat(entries).hasSameSizeAs(dump).hasSizeGreaterThan(40);
        long prevStart = -1;
        long prevEnd = -1;
        int consistencyImages = 0;
        for (int i = 0; i < entries.size(); i++) {
            Fixtures.Entry e = entries.get(i);
            DecodedRecord r = DecodedRecord.decodeOwned(e.bytes().clone(), io.storageengine.schemas.wal.Lsn.of(e.startLsn()),
                    io.storageengine.schemas.wal.Lsn.of(e.endLsn()), true);
            Waldump.assertSame(r, dump.get(i));
            if (prevStart >= 0) {
                assertThat(r.prevLsn().value()).isEqualTo(prevStart);
                assertThat(e.startLsn()).isGreaterThanOrEqualTo(prevEnd);
            }
            prevStart = e.startLsn();
            prevEnd = e.endLsn();
            consistencyImages += (int) r.blocks().stream().filter(b -> b.hasImage() && !b.image().apply()).count();
        }
        assertThat(consistencyImages).isGreaterThan(40);
    }
}
