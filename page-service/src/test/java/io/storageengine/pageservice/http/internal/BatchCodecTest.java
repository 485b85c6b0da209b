package io.storageengine.pageservice.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.wal.Lsn;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary batch response: layout, streamed and in-memory encodings agree, bad input is refused by name. */
class BatchCodecTest {
    private static final byte[] PAGE = page();
    private static final byte[] PROBLEM = "{\"status\":404}".getBytes(StandardCharsets.UTF_8);
    private static final List<BatchCodec.Entry> ENTRIES = List.of(
            new BatchCodec.Entry(200, Lsn.of(0x16B3748), Lsn.of(0x16B3800), PAGE),
            new BatchCodec.Entry(404, Lsn.ZERO, Lsn.of(0x16B3800), PROBLEM),
            new BatchCodec.Entry(200, Lsn.of(-16L), Lsn.MAX, PAGE));

    private static byte[] page() {
        byte[] p = new byte[8192];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 31);
        }
        return p;
    }

    @Test
    void layoutIsCountThenHeaderAndBodyPerEntryBigEndian() {
        byte[] b = BatchCodec.encode(ENTRIES);
        assertThat(b).hasSize(BatchCodec.size(ENTRIES)).hasSize(4 + 3 * 22 + 2 * 8192 + PROBLEM.length);
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertThat(buf.getInt()).isEqualTo(3);
        assertThat(buf.getShort()).isEqualTo((short) 200);
        assertThat(buf.getLong()).isEqualTo(0x16B3748);
        assertThat(buf.getLong()).isEqualTo(0x16B3800);
        assertThat(buf.getInt()).isEqualTo(8192);
    }

    @Test
    void streamedAndInMemoryEncodingsAreIdenticalAndDecodeBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BatchCodec.writeTo(ENTRIES, out);
        assertThat(out.toByteArray()).isEqualTo(BatchCodec.encode(ENTRIES));
        List<BatchCodec.Entry> back = BatchCodec.decode(out.toByteArray());
        assertThat(back).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(back.get(i).status()).isEqualTo(ENTRIES.get(i).status());
            assertThat(back.get(i).pageLsn()).isEqualTo(ENTRIES.get(i).pageLsn());
            assertThat(back.get(i).requestLsn()).isEqualTo(ENTRIES.get(i).requestLsn());
            assertThat(back.get(i).body()).isEqualTo(ENTRIES.get(i).body());
        }
        assertThat(BatchCodec.decode(BatchCodec.encode(List.of()))).isEmpty();
    }

    @Test
    void malformedBodiesAreRefusedWithTheReason() {
        byte[] ok = BatchCodec.encode(ENTRIES);
        assertThatThrownBy(() -> BatchCodec.decode(new byte[3])).hasMessageContaining("shorter than its count");
        assertThatThrownBy(() -> BatchCodec.decode(ByteBuffer.allocate(4).putInt(-1).array()))
                .hasMessageContaining("count -1");
        assertThatThrownBy(() -> BatchCodec.decode(ByteBuffer.allocate(8).putInt(1000).array()))
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> BatchCodec.decode(Arrays.copyOf(ok, 4 + 22 + 8192 + 10)))
                .hasMessageContaining("truncated at entry 1");
        assertThatThrownBy(() -> BatchCodec.decode(Arrays.copyOf(ok, ok.length - 1)))
                .hasMessageContaining("entry 2 has bad length 8192");
        byte[] negative = ok.clone();
        ByteBuffer.wrap(negative).putInt(4 + 18, -5);
        assertThatThrownBy(() -> BatchCodec.decode(negative)).hasMessageContaining("entry 0 has bad length -5");
    }
}
