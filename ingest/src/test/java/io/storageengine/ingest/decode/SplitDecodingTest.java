package io.storageengine.ingest.decode;

import static io.storageengine.ingest.decode.TestFrames.advance;
import static io.storageengine.ingest.decode.TestFrames.concat;
import static io.storageengine.ingest.decode.TestFrames.delta;
import static io.storageengine.ingest.decode.TestFrames.frame;
import static io.storageengine.ingest.decode.TestFrames.image;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.ingest.walgen.WalGen;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitDecodingTest {

    private static byte[] mixedStream() {
        byte[] corrupt = image(40);
        corrupt[30] ^= 1;
        byte[] liar = Arrays.copyOf(advance(45), 21);
        java.nio.ByteBuffer.wrap(liar).putInt(12, 100_000);
        return concat(advance(10), delta(20), new byte[] {'W', 'A', 7}, image(30), corrupt, frame(50, 0x20, new byte[3]),
                liar, delta(60), image(70), Arrays.copyOf(image(80), 3000));
    }

    private static String result(RecordingSink sink, DecodeSummary s) {
        StringBuilder sb = new StringBuilder(s.toLine());
        for (byte[] f : sink.frames) {
            sb.append(' ').append(Arrays.hashCode(f));
        }
        return sb + " skipped=" + sink.skipped;
    }

    @Test
    void splittingTheStreamInTwoAtEveryByteGivesTheSameResult() {
        byte[] stream = mixedStream();
        RecordingSink whole = new RecordingSink();
        String expected = result(whole, decode(whole, stream, stream.length));
        assertThat(whole.lsns).containsExactly(10L, 20L, 30L, 60L, 70L);
        BufferPool pool = new BufferPool(WalDecoder.minBufferSize(), 1);
        for (int cut = 0; cut <= stream.length; cut++) {
            RecordingSink sink = new RecordingSink();
            try (WalDecoder d = WalDecoder.open(pool, sink, 100)) {
                d.feed(stream, 0, cut);
                d.feed(stream, cut, stream.length - cut);
                assertThat(result(sink, d.finish())).as("cut at %d", cut).isEqualTo(expected);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void feedingOneByteAtATimeGivesTheSameResult() {
        byte[] stream = mixedStream();
        RecordingSink whole = new RecordingSink();
        String expected = result(whole, decode(whole, stream, stream.length));
        for (int chunk : new int[] {1, 2, 3, 7, 21, 22, 4096, 8213, 8214}) {
            RecordingSink sink = new RecordingSink();
            assertThat(result(sink, decode(sink, stream, chunk))).as("chunk %d", chunk).isEqualTo(expected);
        }
    }

    private static DecodeSummary decode(RecordingSink sink, byte[] stream, int chunk) {
        WalDecoder d = WalDecoder.unpooled(sink);
        for (int off = 0; off < stream.length; off += chunk) {
            d.feed(stream, off, Math.min(chunk, stream.length - off));
        }
        return d.finish();
    }

    @Test
    void aLongStreamDecodesInOnePooledBufferThatNeverGrows() throws Exception {
        BufferPool pool = new BufferPool(WalDecoder.minBufferSize(), 1);
        long[] count = new long[1];
        FrameSink sink = (frame, bytes) -> {
            count[0]++;
            assertThat(bytes.capacity()).isEqualTo(WalDecoder.minBufferSize());
        };
        WalGen gen = WalGen.builder().seed(3).bytes(64L << 20).flipRate(0.001).garbageRate(0.001).build();
        try (WalDecoder d = WalDecoder.open(pool, sink, 100); InputStream in = gen.inputStream()) {
            while (d.readFrom(in) >= 0) {
                assertThat(pool.inUse()).isEqualTo(1);
            }
            DecodeSummary s = d.finish();
            assertThat(s.bytes()).isGreaterThanOrEqualTo(64L << 20);
            assertThat(s.delivered()).isEqualTo(count[0]).isGreaterThan(1000);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(pool.inUse()).isZero();
    }
}
