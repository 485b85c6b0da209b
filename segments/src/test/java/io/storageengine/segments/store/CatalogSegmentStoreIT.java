package io.storageengine.segments.store;

import static io.storageengine.segments.store.DirectorySegmentStoreTest.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.CorruptSegmentException;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.testsupport.LocalPostgres;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogSegmentStoreIT {
    static CatalogConfig config;
    static Catalog catalog;
    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        LocalPostgres pg = LocalPostgres.shared();
        config = CatalogConfig.of(pg.jdbcUrl(pg.createDatabase("segment_store")), pg.user(), pg.password());
        catalog = Catalog.open(config);
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    /** A segment of {@code versions} page images (about 8 KiB each), so several 4 KiB chunks. */
    static Path writeSegment(Path file, int versions, int seed) throws IOException {
        try (SegmentWriter w = SegmentWriter.create(file, SegmentWriter.Options.of(SegmentKind.IMAGE, 0, 0))) {
            for (int l = 1; l <= versions; l++) {
                byte[] page = new byte[8192];
                Arrays.fill(page, (byte) (seed + l));
                w.add(PAGE, l, StoredVersion.image(page));
            }
            w.finish();
        }
        return file;
    }

    @Test
    void aSegmentRoundTripsThroughTheDatabaseInChunks() throws IOException {
        CatalogSegmentStore store = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache"), 1 << 20, 4096);
        Path local = writeSegment(tmp.resolve("a.seg"), 5, 1);
        byte[] original = Files.readAllBytes(local);
        assertThat(store.put("rt.seg", local)).isEqualTo("rt.seg");
        assertThat(store.list()).contains("rt.seg");
        assertThat(store.exists("rt.seg")).isTrue();

        // a second store with an empty cache (another process) downloads it
        CatalogSegmentStore other = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache2"), 1 << 20, 4096);
        try (SegmentReader r = other.open("rt.seg")) {
            r.verifyAll();
            SegmentVersion v = r.versions(PAGE, 3).getFirst();
            assertThat(v.lsn()).isEqualTo(3);
            assertThat(VersionChains.isMaterializedImage(v.value())).isTrue();
        }
        assertThat(Files.readAllBytes(tmp.resolve("cache2").resolve("rt.seg"))).isEqualTo(original);
        assertThat(other.cachedBytes()).isEqualTo(original.length);
    }

    @Test
    void aSegmentWrittenInTheStagingDirectoryUnderItsNameStaysCached() throws IOException {
        CatalogSegmentStore store = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache"), 1 << 20, 4096);
        Path file = writeSegment(store.stagingDirectory().resolve("staged.seg"), 2, 1);
        store.put("staged.seg", file);
        assertThat(file).exists();
        assertThat(store.cachedNames()).containsExactly("staged.seg");
        try (SegmentReader r = store.open("staged.seg")) {
            assertThat(r.versions(PAGE, 2)).hasSize(2);
        }
    }

    @Test
    void putIsIdempotentAndRefusesDifferentBytesUnderTheSameName() throws IOException {
        CatalogSegmentStore store = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache"), 1 << 20, 4096);
        Path a = writeSegment(tmp.resolve("a.seg"), 2, 1);
        Path copy = Files.copy(a, tmp.resolve("copy.seg"));
        store.put("idem.seg", a);
        store.put("idem.seg", copy);
        Path different = writeSegment(tmp.resolve("b.seg"), 2, 7);
        assertThatThrownBy(() -> store.put("idem.seg", different)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(store.list().stream().filter("idem.seg"::equals)).hasSize(1);
    }

    @Test
    void deleteRemovesTheBytesButOpenReadersKeepReading() throws IOException {
        CatalogSegmentStore store = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache"), 1 << 20, 4096);
        store.put("del.seg", writeSegment(tmp.resolve("a.seg"), 2, 1));
        try (SegmentReader r = store.open("del.seg")) {
            assertThat(store.delete("del.seg")).isTrue();
            assertThat(store.delete("del.seg")).isFalse();
            assertThat(r.versions(PAGE, 2)).hasSize(2);
        }
        assertThat(store.exists("del.seg")).isFalse();
        assertThatThrownBy(() -> store.open("del.seg")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theCacheStaysWithinItsBoundAndRedownloadsEvictedSegments() throws IOException {
        CatalogSegmentStore writer = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("w"), 1 << 20, 4096);
        for (int i = 0; i < 4; i++) {
            writer.put("lru" + i + ".seg", writeSegment(tmp.resolve("s" + i + ".seg"), 3, i));
        }
        long one = catalog.segmentFiles().size("lru0.seg").orElseThrow();
        CatalogSegmentStore reader = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("r"), 2 * one + one / 2, 4096);
        for (int i = 0; i < 4; i++) {
            try (SegmentReader r = reader.open("lru" + i + ".seg")) {
                assertThat(r.versions(PAGE, 3)).hasSize(3);
            }
            assertThat(reader.cachedBytes()).isLessThanOrEqualTo(2 * one + one / 2);
        }
        assertThat(reader.cachedNames()).containsExactly("lru2.seg", "lru3.seg");
        try (SegmentReader r = reader.open("lru0.seg")) { // evicted: downloaded again
            r.verifyAll();
        }
        assertThat(reader.cachedNames()).containsExactly("lru3.seg", "lru0.seg");
    }

    @Test
    void aCorruptCachedCopyIsReplacedByAFreshDownload() throws IOException {
        CatalogSegmentStore store = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("cache"), 1 << 20, 4096);
        store.put("fix.seg", writeSegment(tmp.resolve("a.seg"), 2, 1));
        Path cached = tmp.resolve("cache").resolve("fix.seg");
        try (RandomAccessFile raf = new RandomAccessFile(cached.toFile(), "rw")) {
            raf.seek(raf.length() - 20);
            raf.write(0x55);
        }
        try (SegmentReader r = store.open("fix.seg")) {
            r.verifyAll();
        }
    }

    @Test
    void aDamagedDatabaseCopyIsNeverServed() throws IOException, SQLException {
        CatalogSegmentStore writer = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("w"), 1 << 20, 4096);
        writer.put("gap.seg", writeSegment(tmp.resolve("a.seg"), 3, 1));
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM segment_chunks WHERE name = 'gap.seg' AND chunk_no = 1");
        }
        CatalogSegmentStore reader = new CatalogSegmentStore(catalog.segmentFiles(), tmp.resolve("r"), 1 << 20, 4096);
        assertThatThrownBy(() -> reader.open("gap.seg")).isInstanceOf(CorruptSegmentException.class)
                .hasMessageContaining("gap.seg").hasMessageContaining("chunks");
        assertThat(reader.cachedNames()).isEmpty();
        try (var files = Files.list(tmp.resolve("r"))) {
            assertThat(files.toList()).as("no partial download left behind").isEmpty();
        }
    }

    @Test
    void theFactoryOpensTheCatalogStoreOnTheCatalogsFiles() throws IOException {
        SegmentStore store = SegmentStores.open(new SegmentStores.Config(SegmentStores.Kind.CATALOG, tmp.resolve("f"), 1 << 20, null),
                catalog);
        assertThat(store).isInstanceOf(CatalogSegmentStore.class);
        store.put("factory.seg", writeSegment(tmp.resolve("b.seg"), 2, 2));
        assertThat(catalog.segmentFiles().exists("factory.seg")).isTrue();
    }
}
