package io.storageengine.schemas.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    /** Builds a frame by hand from the spec's table, independently of the codec. */
    static byte[] specFrame(long lsn, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(21 + payload.length);
        b.putInt(0x57414C31).putLong(lsn).putInt(payload.length).put((byte) type);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 4, 13);
        crc.update(payload);
        b.putInt((int) crc.getValue()).put(payload);
        return b.array();
    }

    @Test
    void encodesExactlyAsTheSpecSays() {
        byte[] payload = {1, 2, 3, 4, 5};
        assertThat(FrameCodec.encode(0x16B374D848L, RecordType.LSN_ADVANCE, payload))
                .isEqualTo(specFrame(0x16B374D848L, 3, payload));
    }

    private static byte[] randomBytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    /** Property: 2,000 seeded random frames encode as the spec says and decode back. */
    @Test
    void roundTrips() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 2_000; i++) {
            roundTrip(i == 0 ? -1L : r.nextLong(), r.nextInt(256), randomBytes(r, 300));
        }
    }

    private static void roundTrip(long lsn, int type, byte[] payload) {
        byte[] frame = FrameCodec.encode(lsn, type, ByteBuffer.wrap(payload));
        assertThat(frame).isEqualTo(specFrame(lsn, type, payload));
        Frame f = FrameCodec.decodeExactly(frame);
        assertThat(f.lsn()).isEqualTo(lsn);
        assertThat(f.typeCode()).isEqualTo(type);
        assertThat(f.payloadBytes()).isEqualTo(payload);
        assertThat(f.toBytes()).isEqualTo(frame);
    }

    /** Property: every proper prefix of a valid frame needs more bytes; the whole frame is accepted. */
    @Test
    void everyProperPrefixNeedsMore() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 300; i++) {
            prefixesNeedMore(randomBytes(r, 64));
        }
    }

    private static void prefixesNeedMore(byte[] payload) {
        byte[] frame = specFrame(42, 1, payload);
        ByteBuffer b = ByteBuffer.wrap(frame);
        for (int n = 0; n < frame.length; n++) {
            assertThat(FrameCodec.probe(b, 0, n)).as("prefix %d", n).isEqualTo(FrameCodec.NEED_MORE);
        }
        assertThat(FrameCodec.probe(b, 0, frame.length)).isEqualTo(frame.length);
    }

    /** Property: flipping any single bit of a frame (every bit of 50 random frames) is detected. */
    @Test
    void anyFlippedBitIsDetected() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n = 0; n < 50; n++) {
            byte[] payload = randomBytes(r, 63);
            for (int i = 0; i < 21 + payload.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] frame = specFrame(7, 2, payload);
                    frame[i] ^= (byte) (1 << bit);
                    int result = FrameCodec.probe(ByteBuffer.wrap(frame), 0, frame.length);
                    // A flipped length bit may make the frame claim more bytes than exist (NEED_MORE)
                    // or fewer; either way it is never accepted as the original frame.
                    assertThat(result).as("byte %d bit %d", i, bit).isNotEqualTo(frame.length);
                }
            }
        }
    }

    @Test
    void wrongMagicIsCorrupt() {
        byte[] frame = specFrame(1, 1, new byte[10]);
        frame[0] = 'X';
        assertThat(FrameCodec.probe(ByteBuffer.wrap(frame), 0, frame.length)).isEqualTo(FrameCodec.INVALID);
        assertThat(FrameCodec.probe(ByteBuffer.wrap(frame), 0, 1)).isEqualTo(FrameCodec.INVALID);
        assertThatThrownBy(() -> FrameCodec.decodeExactly(frame)).hasMessageContaining("wrong magic");
    }

    @Test
    void lengthOverTheLimitIsCorruptWithoutWaitingForThePayload() {
        ByteBuffer b = ByteBuffer.allocate(21);
        b.putInt(WalFormat.MAGIC).putLong(1).putInt(WalFormat.MAX_PAYLOAD + 1).put((byte) 1).putInt(0);
        assertThat(FrameCodec.probe(b, 0, 16)).isEqualTo(FrameCodec.INVALID);
        assertThat(FrameCodec.probe(b, 0, 21)).isEqualTo(FrameCodec.INVALID);
        assertThatThrownBy(() -> FrameCodec.decodeExactly(b.array())).hasMessageContaining("over the limit");
    }

    @Test
    void maximumPayloadIsAccepted() {
        byte[] frame = FrameCodec.encode(9, 1, ByteBuffer.allocate(WalFormat.MAX_PAYLOAD));
        assertThat(FrameCodec.decodeExactly(frame).payloadLength()).isEqualTo(WalFormat.MAX_PAYLOAD);
        assertThatThrownBy(() -> FrameCodec.encode(9, 1, ByteBuffer.allocate(WalFormat.MAX_PAYLOAD + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crcMismatchIsCorrupt() {
        byte[] frame = specFrame(5, 3, new byte[] {9, 9});
        frame[frame.length - 1] ^= 1;
        assertThat(FrameCodec.probe(ByteBuffer.wrap(frame), 0, frame.length)).isEqualTo(FrameCodec.INVALID);
        assertThatThrownBy(() -> FrameCodec.decodeExactly(frame)).hasMessageContaining("CRC mismatch");
    }

    @Test
    void decodeExactlyRejectsTruncatedAndTrailingBytes() {
        byte[] frame = specFrame(5, 3, new byte[] {9, 9});
        assertThatThrownBy(() -> FrameCodec.decodeExactly(java.util.Arrays.copyOf(frame, frame.length - 1)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> FrameCodec.decodeExactly(java.util.Arrays.copyOf(frame, frame.length + 1)))
                .hasMessageContaining("extra bytes");
    }

    @Test
    void probeWorksAtAnOffsetOfALittleEndianBuffer() {
        byte[] frame = specFrame(77, 1, new byte[] {1});
        ByteBuffer b = ByteBuffer.allocate(frame.length + 5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.position(5);
        b.put(frame);
        assertThat(FrameCodec.probe(b, 5, b.capacity())).isEqualTo(frame.length);
        assertThat(FrameCodec.decodeAt(b, 5, frame.length).lsn()).isEqualTo(77);
    }
}
