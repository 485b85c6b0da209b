package io.storageengine.postgres.wal;

import java.nio.charset.StandardCharsets;

import io.storageengine.postgres.wal.internal.Pglz;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Our pglz decoder on streams written by hand from the format (real pglz images: PgWaldumpParityIT, fixtures). */
class PglzTest {

    @Test
    void literalsAndOverlappingBackReference() {
        // ctrl 0b0000_1000: 3 literals 'a','b','c', then a tag: len 3+7=10, offset 3 -> "abcabcabcabca"
        byte[] src = {0x08, 'a', 'b', 'c', 0x07, 0x03};
        byte[] dst = new byte[13];
        assertThat(Pglz.decompress(src, 0, src.length, dst, 13, true)).isEqualTo(13);
        assertThat(new String(dst, StandardCharsets.US_ASCII)).isEqualTo("abcabcabcabca");
    }

    @Test
    void extendedLength() {
        // one literal 'z' then a tag with len nibble 15 (18) + extra byte 100 -> 118 copies at offset 1
        byte[] src = {0x02, 'z', 0x0F, 0x01, 100};
        byte[] dst = new byte[119];
        assertThat(Pglz.decompress(src, 0, src.length, dst, 119, true)).isEqualTo(119);
        for (byte b : dst) {
            assertThat(b).isEqualTo((byte) 'z');
        }
    }

    @Test
    void corruptStreamsAreRejected() {
        byte[] dst = new byte[64];
        // back-reference before the start of the output
        assertThat(Pglz.decompress(new byte[] {0x01, 0x00, 0x05}, 0, 3, dst, 64, false)).isEqualTo(-1);
        // offset 0
        assertThat(Pglz.decompress(new byte[] {0x02, 'a', 0x00, 0x00}, 0, 4, dst, 64, false)).isEqualTo(-1);
        // truncated tag
        assertThat(Pglz.decompress(new byte[] {0x02, 'a', 0x01}, 0, 3, dst, 64, false)).isEqualTo(-1);
        // incomplete output with checkComplete
        assertThat(Pglz.decompress(new byte[] {0x00, 'a', 'b'}, 0, 3, dst, 64, true)).isEqualTo(-1);
        assertThat(Pglz.decompress(new byte[] {0x00, 'a', 'b'}, 0, 3, dst, 64, false)).isEqualTo(2);
    }
}
