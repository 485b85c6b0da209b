package io.storageengine.postgres.wal.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's pass reads what the reader reads (a functional check of the bench code; no timing). */
class SegmentDecodeBenchTest {

    @Test
    void onePassCountsEveryRecord(@TempDir Path tmp) throws Exception {
        Path dir = io.storageengine.postgres.wal.TestSegments.mixed(tmp.resolve("wal"));
        long[] decode = SegmentDecodeBench.pass(dir, false, null);
        long[] frames = SegmentDecodeBench.pass(dir, true, null);
        long records = 0;
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            while (r.next() != null) {
                records++;
            }
        }
        assertThat(records).isPositive();
        assertThat(decode[0]).isEqualTo(records);
        assertThat(frames[0]).isEqualTo(records);
        assertThat(decode[1]).isPositive();
        assertThat(Files.list(dir)).isNotEmpty();
    }
}
