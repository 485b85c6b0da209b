package io.storageengine.postgres.redo;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.wal.DecodedRecord;

/**
 * A chain of real Heap/INSERT records for benchmarks and tests: the captured record, with its
 * xl_heap_insert offset (the record's last 3 bytes are its main data) patched to consecutive free
 * slots after the image's last item, and without the consistency image the capture run
 * ({@code wal_consistency_checking}) added, as ordinary WAL has none. The record CRC is then
 * stale; the adapter entry point does not check it (as for REDUCED frames). Immutable once built.
 */
public final class RedoBenchFixture {

    public record Chain(byte[] image, byte[][] records, long[] endLsns, int blockId) {
    }

    private RedoBenchFixture() {
    }

    public static Chain heapInsertChain(InputStream fixtures, int n) throws IOException {
        List<RedoFixtures.Entry> entries = RedoFixtures.read(fixtures);
        RedoFixtures.Entry e = entries.stream().filter(x -> x.name().equals("Heap/INSERT")).findFirst().orElseThrow();
        DecodedRecord rec = e.decode();
        if (rec.mainDataLength() != 3) {
            throw new IllegalStateException("unexpected Heap/INSERT main data: " + rec.mainDataLength() + " bytes");
        }
        // as ordinary WAL: without the consistency image the capture (wal_consistency_checking) added
        byte[] plain = rec.withoutImagesExcept(-1);
        Page before = new Page(e.before().clone());
        int first = before.maxOffset() + 1;
        byte[][] records = new byte[n][];
        long[] lsns = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] r = plain.clone();
            Page.setU16(r, r.length - 3, first + i);
            records[i] = r;
            lsns[i] = e.endLsn() + 64L * i;
        }
        return new Chain(e.before().clone(), records, lsns, e.blockId());
    }
}
