package io.storageengine.ingest.decode;

import static io.storageengine.ingest.decode.TestFrames.advance;
import static io.storageengine.ingest.decode.TestFrames.concat;
import static io.storageengine.ingest.decode.TestFrames.delta;
import static io.storageengine.ingest.decode.TestFrames.frame;
import static io.storageengine.ingest.decode.TestFrames.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class WalDecoderTest {

    private static DecodeSummary decode(byte[] stream, RecordingSink sink) {
        WalDecoder d = WalDecoder.unpooled(sink);
        d.feed(stream);
        return d.finish();
    }

    @Test
    void deliversValidFramesInOrderAsViewsIntoOneBuffer() {
        byte[] a = image(100), b = delta(200), c = advance(300);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(a, b, c), sink);
        assertThat(sink.frames).containsExactly(a, b, c);
        assertThat(sink.lsns).containsExactly(100L, 200L, 300L);
        assertThat(sink.backingArrays).allMatch(arr -> arr == sink.backingArrays.get(0));
        assertThat(s.frames()).isEqualTo(3);
        assertThat(s.delivered()).isEqualTo(3);
        assertThat(s.bytes()).isEqualTo(a.length + b.length + c.length);
        assertThat(s.lastLsn()).isEqualTo(300);
        assertThat(s.complete()).isTrue();
        assertThat(s.corruptFrames()).isZero();
    }

    @Test
    void wrongMagicIsSkippedCountedAndTheNextFrameKept() {
        byte[] bad = image(100);
        bad[0] = 'X';
        byte[] good = image(200);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(bad, good), sink);
        assertThat(sink.frames).containsExactly(good);
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(bad.length);
        assertThat(s.truncatedTailBytes()).isZero();
    }

    @Test
    void lengthOverTheLimitIsCorrupt() {
        byte[] bad = advance(100);
        ByteBuffer.wrap(bad).putInt(12, WalFormat.MAX_PAYLOAD + 1);
        byte[] good = advance(200);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(bad, good), sink);
        assertThat(sink.frames).containsExactly(good);
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(bad.length);
    }

    @Test
    void crcMismatchIsCorruptAndNothingValidAroundItIsLost() {
        byte[] before = delta(50);
        byte[] bad = image(100);
        bad[5000] ^= 0x40;
        byte[] after = delta(200);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(before, bad, after), sink);
        assertThat(sink.frames).containsExactly(before, after);
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(bad.length);
    }

    @Test
    void aGarbageRunCountsAsOneCorruptFrameWithAllItsBytesSkipped() {
        byte[] garbage = new byte[777];
        Arrays.fill(garbage, (byte) 'W');
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(1), garbage, advance(2), new byte[] {1, 2, 3}, advance(3)), sink);
        assertThat(sink.lsns).containsExactly(1L, 2L, 3L);
        assertThat(s.corruptFrames()).isEqualTo(2);
        assertThat(s.skippedBytes()).isEqualTo(780);
    }

    @Test
    void aValidFrameEmbeddedInCorruptBytesIsFound() {
        byte[] inner = advance(150);
        byte[] outer = frame(100, RecordType.LSN_ADVANCE.code(), concat(new byte[] {1, 2}, inner, new byte[] {3}));
        outer[outer.length - 1] ^= 1; // break the outer CRC
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(outer, advance(200)), sink);
        assertThat(sink.lsns).containsExactly(150L, 200L);
        assertThat(s.corruptFrames()).isEqualTo(2);
        assertThat(s.skippedBytes()).isEqualTo(outer.length - inner.length);
    }

    @Test
    void reservedTypesAreSkippedCountedAndStillAdvanceTheLsn() {
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(10), frame(20, 0x05, new byte[] {1}), frame(30, 0xFF, new byte[0]),
                advance(25)), sink);
        assertThat(s.reservedSkipped()).isEqualTo(2);
        assertThat(sink.skipped).containsExactly(20L, 30L);
        assertThat(sink.lsns).containsExactly(10L);
        assertThat(s.error()).contains("0/19").contains("0/1E"); // 25 after 30: the reserved frame moved the LSN
        assertThat(s.lastLsn()).isEqualTo(30);
    }

    @Test
    void pageImageWithWrongPayloadLengthIsRejectedNamingItsLsn() {
        byte[] shortImage = frame(0x1_0000_0010L, RecordType.PAGE_IMAGE.code(), new byte[PageRef.SIZE + 8191]);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(shortImage, image(0x1_0000_0020L)), sink);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(sink.rejections).singleElement().asString().contains("1/10").contains("PAGE_IMAGE");
        assertThat(sink.lsns).containsExactly(0x1_0000_0020L);
        assertThat(s.lastLsn()).isEqualTo(0x1_0000_0020L);
    }

    @Test
    void pgRecordsAreDeliveredAndBadHeadersRejectedNamingTheirLsn() {
        byte[] good = TestFrames.pg(0x10, 1, 0);
        byte[] badFlags = TestFrames.pg(0x20, 8, 0);
        byte[] badLength = TestFrames.pg(0x30, 0, 1);
        byte[] major14 = good.clone();
        major14[WalFormat.HEADER_SIZE + PageRef.SIZE + 3] = 14; // pgMajor's low byte; the CRC is fixed below
        byte[] badMajor = frame(0x40, RecordType.PG_RECORD.code(),
                Arrays.copyOfRange(major14, WalFormat.HEADER_SIZE, major14.length));
        byte[] tooShort = frame(0x50, RecordType.PG_RECORD.code(), new byte[PageRef.SIZE + 4 + 23]);
        RecordingSink sink = new RecordingSink();
        byte[] otherPage = TestFrames.pgNamingAnotherPage(0x58);
        DecodeSummary s = decode(concat(good, badFlags, badLength, badMajor, tooShort, otherPage, TestFrames.pg(0x60, 2, 0)), sink);
        assertThat(sink.lsns).containsExactly(0x10L, 0x60L);
        assertThat(s.rejected()).isEqualTo(5);
        assertThat(sink.rejections).hasSize(5);
        assertThat(sink.rejections.get(0)).contains("0/20").contains("flag bits");
        assertThat(sink.rejections.get(1)).contains("0/30").contains("xl_tot_len");
        assertThat(sink.rejections.get(2)).contains("0/40").contains("major version 14");
        assertThat(sink.rejections.get(3)).contains("0/50").contains("PG_RECORD");
        assertThat(sink.rejections.get(4)).contains("0/58").contains("block reference 0 names");
        assertThat(s.lastLsn()).isEqualTo(0x60);
    }

    @Test
    void vmOfBlockFramesAreDeliveredWhenTheyNameTheirBlocksVmPage() {
        PageRef vm = new PageRef(1663, 5, 16384, 2, 0);
        byte[] good = TestFrames.pgVm(0x10, vm);
        byte[] otherVmPage = TestFrames.pgVm(0x20, new PageRef(1663, 5, 16384, 2, 1));
        byte[] heapPage = TestFrames.pgVm(0x30, TestFrames.PAGE);
        byte[] otherRel = TestFrames.pgVm(0x38, new PageRef(1663, 5, 16385, 2, 0));
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(good, otherVmPage, heapPage, otherRel, TestFrames.pgVm(0x40, vm)), sink);
        assertThat(sink.lsns).containsExactly(0x10L, 0x40L);
        assertThat(s.rejected()).isEqualTo(3);
        assertThat(sink.rejections.get(0)).contains("0/20").contains("the visibility-map page of");
        assertThat(sink.rejections.get(1)).contains("0/30").contains("not a visibility-map page");
        assertThat(sink.rejections.get(2)).contains("0/38").contains("the visibility-map page of");
        // the same record without VM_OF_BLOCK must name the heap page: a fork-2 key is rejected
        byte[] plain = TestFrames.pgVm(0x50, vm);
        plain[WalFormat.HEADER_SIZE + PageRef.SIZE + 1] = 0;
        RecordingSink sink2 = new RecordingSink();
        decode(frame(0x50, RecordType.PG_RECORD.code(), Arrays.copyOfRange(plain, WalFormat.HEADER_SIZE, plain.length)),
                sink2);
        assertThat(sink2.rejections).singleElement().asString().contains("block reference 0 names");
    }

    @Test
    void pageDeltaWhosePatchRunsPastThePageIsRejected() {
        ByteBuffer body = ByteBuffer.allocate(2 + 4 + 10).putShort((short) 1).putShort((short) 8190).putShort((short) 10);
        byte[] bad = frame(77, RecordType.PAGE_DELTA.code(), TestFrames.deltaPayload(body.flip().limit(16)));
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(bad, sink);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(sink.rejections).singleElement().asString().contains("0/4D").contains("past the page");
        assertThat(sink.frames).isEmpty();
    }

    @Test
    void pageDeltaWhosePatchRunsPastThePayloadIsRejected() {
        ByteBuffer body = ByteBuffer.allocate(2 + 4 + 3).putShort((short) 1).putShort((short) 0).putShort((short) 10);
        byte[] bad = frame(78, RecordType.PAGE_DELTA.code(), TestFrames.deltaPayload(body.flip().limit(9)));
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(bad, sink);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(sink.rejections).singleElement().asString().contains("0/4E").contains("past the payload");
    }

    @Test
    void pageDeltaWithoutPatchesIsRejected() {
        byte[] bad = frame(79, RecordType.PAGE_DELTA.code(), TestFrames.deltaPayload(ByteBuffer.allocate(2)));
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(bad, sink);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(sink.rejections).singleElement().asString().contains("0/4F");
    }

    @Test
    void watermarkFramesInAnInputStreamAreRejected() {
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(frame(5, RecordType.WATERMARK.code(), new byte[0]), advance(6)), sink);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(sink.rejections).singleElement().asString().contains("WATERMARK");
        assertThat(sink.lsns).containsExactly(6L);
    }

    @Test
    void lsnRegressionStopsTheStreamNamingBothLsnsAndNothingAfterIsDelivered() {
        RecordingSink sink = new RecordingSink();
        WalDecoder d = WalDecoder.unpooled(sink);
        d.feed(concat(image(0x200), delta(0x300), advance(0x100), image(0x400)));
        assertThat(d.stopped()).isTrue();
        d.feed(advance(0x500)); // ignored after the stop
        DecodeSummary s = d.finish();
        assertThat(sink.lsns).containsExactly(0x200L, 0x300L);
        assertThat(s.lastLsn()).isEqualTo(0x300);
        assertThat(s.error()).contains("0/100").contains("0/300").contains("last good LSN 0/300");
        assertThat(s.stoppedOnError()).isTrue();
    }

    /**
     * Found by WalDecoderFuzzTest: a regression first seen at the end of the stream (behind a header
     * whose claimed length ran past the end, so it waited until finish) was reported as a stop plus a
     * "truncated tail" of every byte after the regressing frame; a regression seen earlier reported no
     * tail. The bytes after a stop are not a tail: both now report 0.
     */
    @Test
    void anLsnRegressionFoundOnlyAtTheEndReportsNoTruncatedTail() {
        byte[] liar = Arrays.copyOf(advance(0x250), WalFormat.HEADER_SIZE);
        ByteBuffer.wrap(liar).putInt(12, 100_000); // claims 100 kB: the decoder waits for them until finish
        byte[] after = concat(advance(0x100), image(0x400), image(0x500));
        RecordingSink sink = new RecordingSink();
        WalDecoder d = WalDecoder.unpooled(sink);
        d.feed(concat(image(0x200), liar, after));
        assertThat(d.stopped()).isFalse(); // still waiting on the liar
        DecodeSummary s = d.finish();
        assertThat(sink.lsns).containsExactly(0x200L);
        assertThat(s.error()).contains("0/100").contains("last good LSN 0/200");
        assertThat(s.truncatedTailBytes()).isZero();
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(WalFormat.HEADER_SIZE);
    }

    @Test
    void framesSharingAnLsnAreAccepted() {
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(image(5), delta(5), advance(5)), sink);
        assertThat(sink.lsns).containsExactly(5L, 5L, 5L);
        assertThat(s.error()).isNull();
    }

    @Test
    void lsnsCompareUnsigned() {
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(0x7FFF_FFFF_FFFF_FFFFL), advance(0x8000_0000_0000_0000L)), sink);
        assertThat(s.error()).isNull();
        assertThat(sink.lsns).hasSize(2);
    }

    @Test
    void anIncompleteLastFrameIsATruncatedTailWithItsSize() {
        byte[] last = image(300);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(image(100), Arrays.copyOf(last, 4000)), sink);
        assertThat(sink.lsns).containsExactly(100L);
        assertThat(s.truncatedTailBytes()).isEqualTo(4000);
        assertThat(s.skippedBytes()).isZero();
        assertThat(s.corruptFrames()).isZero();
        assertThat(s.complete()).isFalse();
    }

    @Test
    void aHeaderClaimingAHugeLengthDoesNotHideTheFramesAfterItAtTheEnd() {
        byte[] liar = Arrays.copyOf(advance(10), WalFormat.HEADER_SIZE);
        ByteBuffer.wrap(liar).putInt(12, WalFormat.MAX_PAYLOAD); // claims 1 MiB, stream ends long before
        byte[] a = image(20), b = delta(30);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(5), liar, a, b), sink);
        assertThat(sink.lsns).containsExactly(5L, 20L, 30L);
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(WalFormat.HEADER_SIZE);
        assertThat(s.truncatedTailBytes()).isZero();
    }

    @Test
    void aHeaderClaimingAHugeLengthMidStreamIsResolvedOnceTheBytesArrive() {
        byte[] liar = Arrays.copyOf(advance(10), WalFormat.HEADER_SIZE);
        ByteBuffer.wrap(liar).putInt(12, WalFormat.MAX_PAYLOAD);
        RecordingSink sink = new RecordingSink();
        WalDecoder d = WalDecoder.unpooled(sink);
        d.feed(liar);
        long lsn = 20;
        while (d.summary().bytes() < 3L * WalFormat.MAX_FRAME) {
            d.feed(image(lsn++));
        }
        long fed = lsn - 20;
        assertThat(sink.lsns).hasSizeGreaterThan((int) fed / 2); // resolved without waiting for the end
        DecodeSummary s = d.finish();
        assertThat(sink.lsns).hasSize((int) fed);
        assertThat(s.corruptFrames()).isEqualTo(1);
        assertThat(s.skippedBytes()).isEqualTo(WalFormat.HEADER_SIZE);
    }

    @Test
    void trailingGarbageWithoutAnyFrameIsTheTruncatedTail() {
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(1), new byte[] {'W', 'A', 'L', '1', 0, 0}, new byte[] {1, 2, 3}), sink);
        assertThat(sink.lsns).containsExactly(1L);
        assertThat(s.truncatedTailBytes()).isEqualTo(9);
        assertThat(s.skippedBytes()).isZero();
    }

    @Test
    void aMaximumSizeFrameDecodes() {
        byte[] big = frame(9, RecordType.LSN_ADVANCE.code(), new byte[WalFormat.MAX_PAYLOAD]);
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = decode(concat(advance(1), big, big, advance(10)), sink);
        assertThat(sink.lsns).containsExactly(1L, 9L, 9L, 10L);
        assertThat(s.complete()).isTrue();
    }

    @Test
    void decodesFromAnInputStreamReadingIntoItsOwnBuffer() throws IOException {
        byte[] stream = concat(image(1), delta(2), advance(3));
        RecordingSink sink = new RecordingSink();
        DecodeSummary s = WalDecoder.unpooled(sink).decodeAll(new ByteArrayInputStream(stream));
        assertThat(s.frames()).isEqualTo(3);
        assertThat(s.bytes()).isEqualTo(stream.length);
    }

    @Test
    void theBufferPoolCapIsHard() throws Exception {
        BufferPool pool = new BufferPool(WalDecoder.minBufferSize(), 1);
        try (WalDecoder d = WalDecoder.open(pool, FrameSink.discarding(), 10)) {
            assertThat(pool.inUse()).isEqualTo(1);
            assertThatThrownBy(() -> WalDecoder.open(pool, FrameSink.discarding(), 10)).isInstanceOf(TimeoutException.class);
            d.feed(new byte[0]);
        }
        assertThat(pool.inUse()).isZero();
        WalDecoder.open(pool, FrameSink.discarding(), 10).close();
    }

    @Test
    void aTooSmallBufferIsRefused() {
        BufferPool pool = new BufferPool(WalFormat.MAX_FRAME, 1);
        assertThatThrownBy(() -> WalDecoder.open(pool, FrameSink.discarding(), 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
