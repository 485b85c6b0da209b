package io.storageengine.catalog.segmentfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.Fixtures;
import io.storageengine.testsupport.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SegmentFiles}: chunked bytes round trip, idempotent puts, conflicts, and damaged copies reported as such. */
class SegmentFilesIT {
    static io.storageengine.catalog.CatalogConfig config;
    static Catalog catalog;
    static SegmentFiles files;
    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        config = Fixtures.freshDatabase("segment_files");
        catalog = Catalog.open(config);
        files = catalog.segmentFiles();
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    private Path file(String name, int size, int seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    private static long crc(Path p) throws IOException {
        CRC32C c = new CRC32C();
        c.update(Files.readAllBytes(p));
        return c.getValue();
    }

    @Test
    void aFileRoundTripsInChunksAndAPutIsIdempotent() throws IOException {
        Path f = file("a.seg", 10_000, 1);
        assertThat(files.put("a.seg", f, 10_000, crc(f), 4096)).isEqualTo(SegmentFiles.PutResult.STORED);
        assertThat(files.put("a.seg", f, 10_000, crc(f), 4096)).isEqualTo(SegmentFiles.PutResult.SAME);
        Path other = file("other.seg", 10_000, 2);
        assertThat(files.put("a.seg", other, 10_000, crc(other), 4096)).isEqualTo(SegmentFiles.PutResult.CONFLICT);
        SegmentFiles.Download d = files.download("a.seg", tmp.resolve("copy")).orElseThrow();
        assertThat(d.complete()).isTrue();
        assertThat(d.chunks()).isEqualTo(3);
        assertThat(Files.readAllBytes(tmp.resolve("copy"))).isEqualTo(Files.readAllBytes(f));
        assertThat(files.size("a.seg")).hasValue(10_000);
        assertThat(files.exists("a.seg")).isTrue();
        assertThat(files.names()).contains("a.seg");
    }

    @Test
    void aMissingNameIsEmptyAndDeleteRemovesTheChunks() throws IOException {
        assertThat(files.download("nope.seg", tmp.resolve("x"))).isEmpty();
        assertThat(files.size("nope.seg")).isEmpty();
        Path f = file("d.seg", 5000, 3);
        files.put("d.seg", f, 5000, crc(f), 4096);
        assertThat(files.delete("d.seg")).isTrue();
        assertThat(files.delete("d.seg")).isFalse();
        assertThat(files.download("d.seg", tmp.resolve("y"))).isEmpty();
        assertThat(files.names()).doesNotContain("d.seg");
    }

    @Test
    void aMissingOrAlteredChunkIsReportedIncomplete() throws IOException, SQLException {
        Path f = file("m.seg", 9000, 4);
        files.put("m.seg", f, 9000, crc(f), 4096);
        Path g = file("c.seg", 9000, 5);
        files.put("c.seg", g, 9000, crc(g), 4096);
        LocalPostgres pg = LocalPostgres.shared();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), pg.user(), pg.password())) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM segment_chunks WHERE name = 'm.seg' AND chunk_no = 1")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE segment_chunks SET data = set_byte(data, 7, get_byte(data, 7) # 1) WHERE name = 'c.seg' AND chunk_no = 2")) {
                ps.executeUpdate();
            }
        }
        SegmentFiles.Download gap = files.download("m.seg", tmp.resolve("m")).orElseThrow();
        assertThat(gap.complete()).isFalse();
        assertThat(gap.chunks()).isEqualTo(1); // stops at the gap
        assertThat(gap.describe()).contains("1/3 chunks");
        SegmentFiles.Download flipped = files.download("c.seg", tmp.resolve("c")).orElseThrow();
        assertThat(flipped.complete()).isFalse();
        assertThat(flipped.bytes()).isEqualTo(9000);
        assertThat(flipped.describe()).contains("CRC mismatch");
    }
}
