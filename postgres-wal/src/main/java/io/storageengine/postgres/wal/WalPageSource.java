package io.storageengine.postgres.wal;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where {@link XLogReader} gets WAL pages: 8 KiB pages addressed by their start LSN, asked for in
 * increasing order (the reader may look a little ahead to tell the end of WAL from corruption and
 * then come back). {@link WalSegmentSource} reads segment files; a replication stream is another
 * implementation. Implementations are single-threaded and hold a bounded buffer.
 */
public interface WalPageSource extends Closeable {

    /** WAL segment size in bytes (from the first long page header). */
    int segmentSize();

    /** The address of the first page this source holds (a segment start). */
    long firstPageAddress();

    /**
     * Reads the page at {@code pageAddress} (a multiple of 8192) into {@code dst[0..8192)}.
     *
     * @return false when the source holds no such page (past the end of the WAL it has)
     * @throws WalFormatException for a source that is damaged there (truncated or missing segment file, ...)
     */
    boolean readPage(long pageAddress, byte[] dst) throws IOException;

    /** A human name of where a page comes from, for messages (e.g. the segment file name). */
    String describe(long pageAddress);
}
