package io.storageengine.ingest.walgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.decode.WalDecoder;
import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WalGenTest {

    private static WalGen corrupting(long seed) {
        return WalGen.builder().seed(seed).relations(3).pagesPerRelation(50).records(3000).flipRate(0.02)
                .garbageRate(0.02).reservedRate(0.01).badRecordRate(0.01).pagesPerLsn(2).truncateTail(true).build();
    }

    @Test
    void theSameConfigurationGivesTheSameBytes() throws IOException {
        ByteArrayOutputStream a = new ByteArrayOutputStream(), b = new ByteArrayOutputStream();
        corrupting(5).writeTo(a);
        corrupting(5).inputStream().transferTo(b);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        corrupting(6).writeTo(c);
        assertThat(c.toByteArray()).isNotEqualTo(a.toByteArray());
    }

    @Test
    void theDecoderFindsExactlyTheItemsLabelledAsPublishedAndCountsTheRest() throws IOException {
        WalGen gen = corrupting(9);
        List<byte[]> expected = new ArrayList<>();
        long reserved = 0, bad = 0, advances = 0;
        for (WalGen.Item item : gen) {
            switch (item.kind()) {
                case PAGE_RECORD -> expected.add(item.bytes());
                case LSN_ADVANCE -> { expected.add(item.bytes()); advances++; }
                case RESERVED -> reserved++;
                case BAD_RECORD -> bad++;
                default -> { }
            }
        }
        List<byte[]> got = new ArrayList<>();
        DecodeSummary s = WalDecoder.unpooled((frame, bytes) -> {
            byte[] b = new byte[bytes.remaining()];
            bytes.duplicate().get(b);
            got.add(b);
        }).decodeAll(gen.inputStream());
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(s.reservedSkipped()).isEqualTo(reserved).isPositive();
        assertThat(s.rejected()).isEqualTo(bad).isPositive();
        assertThat(advances).isPositive();
        assertThat(s.corruptFrames()).isPositive();
        assertThat(s.truncatedTailBytes()).isPositive();
        assertThat(s.error()).isNull();
    }

    @Test
    void pageRecordsAreValidAndPagesSharingAnLsnAreDistinct() throws Exception {
        WalGen gen = WalGen.builder().seed(2).relations(2).pagesPerRelation(8).pagesPerLsn(3).records(2000).build();
        long lsn = -1;
        Set<Object> pagesAtLsn = new HashSet<>();
        for (WalGen.Item item : gen) {
            if (!item.isPublishedPageRecord()) {
                continue;
            }
            Frame f = item.frame();
            PageRecords.validate(f.lsn(), f.type(), f.payload());
            assertThat(PageRecords.pageRef(f.payload())).isEqualTo(item.page());
            if (f.lsn() != lsn) {
                lsn = f.lsn();
                pagesAtLsn.clear();
            }
            assertThat(pagesAtLsn.add(item.page())).as("page %s twice at LSN %d", item.page(), lsn).isTrue();
            assertThat(f.type()).isIn(RecordType.PAGE_IMAGE, RecordType.PAGE_DELTA);
        }
    }

    @Test
    void aByteLimitStopsTheStreamAtTheFirstFrameReachingIt() {
        long total = WalGen.builder().bytes(1 << 20).build().stream().mapToLong(i -> i.bytes().length).sum();
        assertThat(total).isBetween(1L << 20, (1L << 20) + 9000);
    }
}
