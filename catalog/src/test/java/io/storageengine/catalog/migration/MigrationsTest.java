package io.storageengine.catalog.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationsTest {

    @Test
    void migrationsLoadInVersionOrderWithStableChecksums() {
        List<Migrations.Migration> all = Migrations.load();
        assertThat(all).extracting(Migrations.Migration::version).startsWith(1, 2);
        assertThat(all.getFirst().sql()).contains("CREATE TABLE segments");
        assertThat(Migrations.load()).extracting(Migrations.Migration::checksum)
                .containsExactlyElementsOf(all.stream().map(Migrations.Migration::checksum).toList());
    }

    @Test
    void everyMigrationFileIsListedInTheIndex() throws IOException {
        Path dir = Path.of("src/main/resources/db/migration");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
            assertThat(Migrations.load()).extracting(Migrations.Migration::file).containsExactlyInAnyOrderElementsOf(onDisk);
        }
    }
}
