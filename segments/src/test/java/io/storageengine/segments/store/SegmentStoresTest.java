package io.storageengine.segments.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SegmentStores}: the kind names and the directory store; the catalog store is opened in CatalogSegmentStoreIT. */
class SegmentStoresTest {
    @TempDir
    Path tmp;

    @Test
    void kindsParseFromTheirConfiguredNames() {
        assertThat(SegmentStores.Kind.parse("directory")).isEqualTo(SegmentStores.Kind.DIRECTORY);
        assertThat(SegmentStores.Kind.parse(" Dir ")).isEqualTo(SegmentStores.Kind.DIRECTORY);
        assertThat(SegmentStores.Kind.parse("CATALOG")).isEqualTo(SegmentStores.Kind.CATALOG);
        assertThatThrownBy(() -> SegmentStores.Kind.parse("s3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'s3'");
    }

    @Test
    void theDirectoryKindOpensADirectoryStoreWithoutACatalog() throws IOException {
        SegmentStore store = SegmentStores.open(SegmentStores.Config.of(SegmentStores.Kind.DIRECTORY, tmp.resolve("segs")), null);
        assertThat(store).isInstanceOf(DirectorySegmentStore.class);
        assertThat(store.name()).isEqualTo(DirectorySegmentStore.STORE_NAME);
        assertThat(((DirectorySegmentStore) store).directory()).isEqualTo(tmp.resolve("segs").toAbsolutePath());
    }

    @Test
    void theCatalogKindNeedsACatalogAndABoundIsNeverNegative() {
        assertThatThrownBy(() -> SegmentStores.open(SegmentStores.Config.of(SegmentStores.Kind.CATALOG, tmp), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("catalog");
        assertThatThrownBy(() -> new SegmentStores.Config(SegmentStores.Kind.CATALOG, tmp, -1, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
