package io.storageengine.postgres.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.storageengine.schemas.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link XLogReader#follow} over bytes arriving in arbitrary chunks, as physical replication delivers them. */
class StreamingReaderTest {

    static final int SEG = 1 << 20;

    @Test
    void recordsComeOutAsSoonAsTheyAreCompleteWhateverTheChunking() throws IOException {
        SegmentWriter w = XLogReaderTest.mixed();
        long begin = 3L * SEG;
        long end = w.position();
        for (long seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed);
            // start at a record boundary in the middle of a page: stream from that page's start
            SegmentWriter.Placed from = w.placed.get(5);
            long pageStart = from.start() - from.start() % 8192;
            StreamingWalSource src = new StreamingWalSource(pageStart, SEG, 4L << 20);
            XLogReader r = XLogReader.follow(src, Lsn.of(from.start()));
            List<DecodedRecord> got = new ArrayList<>();
            long pos = pageStart;
            while (pos < end) {
                int n = (int) Math.min(end - pos, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 40_000));
                src.append(pos, ByteBuffer.wrap(bytes(w, pos, n, begin)));
                pos += n;
                DecodedRecord d;
                while ((d = r.next()) != null) {
                    got.add(d);
                    assertThat(d.endLsn().value()).isLessThanOrEqualTo(src.receivedEnd() + 7);
                }
                assertThat(r.atEnd()).isFalse();
                src.release(r.endLsn().value());
                assertThat(src.bufferedBytes()).isLessThanOrEqualTo(40_000 + 2 * 30_000 + 3 * 8192);
            }
            List<SegmentWriter.Placed> want = w.placed.subList(5, w.placed.size());
            assertThat(got).hasSize(want.size());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).startLsn().value()).isEqualTo(want.get(i).start());
                assertThat(got.get(i).endLsn().value()).isEqualTo(want.get(i).end());
            }
        }
    }

    @Test
    void bytesSentAgainAfterAReconnectAreSkippedAndGapsAreErrors() {
        SegmentWriter w = XLogReaderTest.mixed();
        long begin = 3L * SEG;
        StreamingWalSource src = new StreamingWalSource(begin, SEG, 4L << 20);
        src.append(begin, ByteBuffer.wrap(bytes(w, begin, 10_000, begin)));
        src.append(begin + 5000, ByteBuffer.wrap(bytes(w, begin + 5000, 10_000, begin)));
        assertThat(src.receivedEnd()).isEqualTo(begin + 15_000);
        assertThatThrownBy(() -> src.append(begin + 20_000, ByteBuffer.wrap(new byte[10])))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("gap");
    }

    @Test
    void aCompleteInvalidRecordIsAnError() throws IOException {
        SegmentWriter w = XLogReaderTest.mixed();
        long begin = 3L * SEG;
        SegmentWriter.Placed bad = w.placed.get(3);
        byte[] all = bytes(w, begin, 200_000, begin);
        all[(int) (bad.start() - begin) + 30] ^= 0x11;
        StreamingWalSource src = new StreamingWalSource(begin, SEG, 4L << 20);
        src.append(begin, ByteBuffer.wrap(all));
        XLogReader r = XLogReader.follow(src, Lsn.of(w.placed.getFirst().start()));
        assertThat(r.next()).isNotNull();
        assertThat(r.next()).isNotNull();
        assertThat(r.next()).isNotNull();
        assertThatThrownBy(r::next).isInstanceOf(WalFormatException.class).hasMessageContaining(Lsn.format(bad.start()));
    }

    static byte[] bytes(SegmentWriter w, long lsn, int n, long begin) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; ) {
            long at = lsn + i;
            int seg = (int) ((at - begin) / SEG);
            int off = (int) ((at - begin) % SEG);
            int k = Math.min(n - i, SEG - off);
            System.arraycopy(w.segment(seg), off, out, i, k);
            i += k;
        }
        return out;
    }
}
