package io.storageengine.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.PagePayloads;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class DecoderPropertiesTest {

    /** A piece of a test stream: a valid frame (deliverable) or a garbage run. */
    record Piece(byte[] bytes, boolean frame) {
    }

    @Provide
    Arbitrary<List<Piece>> streams() {
        Arbitrary<Piece> frame = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.longs(),
                Arbitraries.integers().between(0, 40)).as((kind, seed, size) -> new Piece(validFrame(kind, seed, size), true));
        Arbitrary<Piece> garbage = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)
                .map(b -> new Piece(b, false));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, frame), net.jqwik.api.Tuple.of(1, garbage))
                .list().ofMaxSize(40);
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

    @Property(tries = 300)
    void validFramesInterleavedWithGarbageComeOutExactly(@ForAll("streams") List<Piece> pieces,
                                                         @ForAll @IntRange(min = 1, max = 20_000) int chunk) {
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
