package io.storageengine.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecoderPropertiesTest {

    /** A piece of a test stream: a valid frame (deliverable) or a garbage run. */
    record Piece(byte[] bytes, boolean frame) {
    }

    /** A seeded random stream: up to 40 pieces, three valid frames for every garbage run. */
    private static List<Piece> stream(Random r) {
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0, n = r.nextInt(41); i < n; i++) {
            if (r.nextInt(4) < 3) {
                pieces.add(new Piece(validFrame(r.nextInt(3), r.nextLong(), r.nextInt(41)), true));
            } else {
                byte[] garbage = new byte[1 + r.nextInt(300)];
                r.nextBytes(garbage);
                pieces.add(new Piece(garbage, false));
            }
        }
        return pieces;
    }

    private static byte[] validFrame(int kind, long seed, int size) {
        Random r = new Random(seed);
        PageRef ref = new PageRef(1663, 1, r.nextInt(100), 0, r.nextInt(1000));
        return switch (kind) {
            case 0 -> {
                byte[] page = new byte[8192];
                r.nextBytes(page);
                yield FrameCodec.encode(1, RecordType.PAGE_IMAGE, PagePayloads.image(ref, page));
            }
            case 1 -> {
                byte[] data = new byte[1 + size];
                r.nextBytes(data);
                yield FrameCodec.encode(1, RecordType.PAGE_DELTA,
                        PagePayloads.delta(ref, List.of(new Patch(r.nextInt(8192 - data.length), data))));
            }
            default -> {
                byte[] payload = new byte[size];
                r.nextBytes(payload);
                yield FrameCodec.encode(1, RecordType.LSN_ADVANCE, payload);
            }
        };
    }

    /** Property, over 300 seeded random streams fed in random chunk sizes (seed in the failure message). */
    @Test
    void validFramesInterleavedWithGarbageComeOutExactly() {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            int chunk = seed == 0 ? 1 : 1 + r.nextInt(20_000);
            try {
                check(stream(r), chunk);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(List<Piece> pieces, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> expected = new ArrayList<>();
        long skipped = 0, runs = 0, tail = 0;
        boolean inRun = false;
        for (Piece p : pieces) {
            out.writeBytes(p.bytes());
            if (p.frame()) {
                expected.add(p.bytes());
                if (inRun) {
                    runs++;
                    skipped += tail;
                }
                tail = 0;
                inRun = false;
            } else {
                inRun = true;
                tail += p.bytes().length;
            }
        }
        byte[] stream = out.toByteArray();
        RecordingSink sink = new RecordingSink();
        WalDecoder d = WalDecoder.unpooled(sink);
        for (int off = 0; off < stream.length; off += chunk) {
            d.feed(stream, off, Math.min(chunk, stream.length - off));
        }
        DecodeSummary s = d.finish();
        assertThat(sink.frames).containsExactlyElementsOf(expected);
        assertThat(s.corruptFrames()).isEqualTo(runs);
        assertThat(s.skippedBytes()).isEqualTo(skipped);
        assertThat(s.truncatedTailBytes()).isEqualTo(tail);
    }
}
