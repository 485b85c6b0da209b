package io.storageengine.ingest.pgwal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.storageengine.ingest.publish.PublishException;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.relations.RelationTracking;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.postgres.wal.frame.PgRecordFrames;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelationSize;
import io.storageengine.schemas.wal.Lsn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes PostgreSQL WAL segment files through a {@link WalPublisher}: like {@code pg_waldump -p DIR
 * [-s START] [-e END]}, every record from the first at or after {@code start} (default: the first
 * valid record of the oldest segment) until the end of the WAL, or until a record would end after
 * {@code end}. Each block reference becomes a PG_RECORD frame at the record's end LSN; a record
 * without block references advances the LSN. With a {@link RelationTracking}, the record's relation
 * size changes are published with its frames, in the same transaction (docs/relations.md).
 *
 * <p>Errors: a corrupt record inside complete WAL, a damaged segment file (truncated, wrong size,
 * other timeline or system) or a record too large for one frame stops the run; everything before
 * it is published and committed with a WATERMARK at the last good LSN, nothing after it.
 * Memory: the reader's page buffers and one record's frames. Cancellation: interrupt the thread;
 * the run stops between records and commits what it published.
 */
public final class PgWalIngest {
    private static final Logger LOG = LoggerFactory.getLogger(PgWalIngest.class);

    private PgWalIngest() {
    }

    /** Collects one record's frames and hands them to the publisher together (no commit between them). */
    static final class RecordSink implements PgRecordFrames.Sink {
        private final WalPublisher publisher;
        private final List<byte[]> pending = new ArrayList<>();

        RecordSink(WalPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public void frame(long lsn, PageRef page, byte[] frame) {
            pending.add(frame);
        }

        @Override
        public void lsnAdvance(long lsn, DecodedRecord record) {
            // complete() publishes the advance
        }

        /** Publishes the record's frames (or its LSN advance) and marks its end LSN complete. */
        void complete(long lsn) {
            complete(lsn, List.of());
        }

        /** Same, with the record's relation size changes in the same call (so in the same transaction). */
        void complete(long lsn, List<RelationSize> relationChanges) {
            publisher.acceptComplete(lsn, PgRecordPayload.TYPE_CODE, pending, relationChanges);
            pending.clear();
        }
    }

    /**
     * Reads {@code dir} and publishes it.
     *
     * @param start first record at or after this LSN; {@code null} = first record of the oldest segment
     * @param end   stop before the first record ending after this LSN; {@code null} = end of WAL
     * @throws IOException if the directory cannot be read
     */
    public static PgWalResult publishSegments(WalPublisher publisher, Path dir, Lsn start, Lsn end) throws IOException {
        return publishSegments(publisher, dir, start, end, null);
    }

    /**
     * Same, and with {@code relations} (null: none) the relation size changes of every record go to
     * the relations topic with its frames (the publisher must have {@code enableRelations()}).
     */
    public static PgWalResult publishSegments(WalPublisher publisher, Path dir, Lsn start, Lsn end,
                                              RelationTracking relations) throws IOException {
        try (WalSegmentSource source = WalSegmentSource.open(dir); XLogReader reader = XLogReader.open(source, start)) {
            return publish(publisher, reader, "pg-wal:" + dir, end, relations);
        } catch (WalFormatException e) {
            // the directory's first segment is unusable: nothing was published
            return new PgWalResult("pg-wal:" + dir, new PgRecordFrames().stats().snapshot(), null, 0, null, e.getMessage(),
                    publisher.watermarkLsn(), null);
        }
    }

    /** Publishes what {@code reader} yields (see {@link #publishSegments}). */
    public static PgWalResult publish(WalPublisher publisher, XLogReader reader, String name, Lsn end) {
        return publish(publisher, reader, name, end, null);
    }

    /** Publishes what {@code reader} yields, with relation metadata when {@code relations} is not null. */
    public static PgWalResult publish(WalPublisher publisher, XLogReader reader, String name, Lsn end,
                                      RelationTracking relations) {
        PgRecordFrames frames = new PgRecordFrames();
        RecordSink sink = new RecordSink(publisher);
        Lsn first = null;
        long last = 0;
        String endReason = null;
        String error = null;
        String publishError = null;
        try {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    endReason = "cancelled";
                    break;
                }
                DecodedRecord r = reader.next();
                if (r == null) {
                    endReason = "end of WAL at " + reader.endLsn() + ": " + reader.endReason();
                    break;
                }
                if (end != null && r.endLsn().isAfter(end)) {
                    endReason = "end LSN " + end + " reached (next record ends at " + r.endLsn() + ")";
                    break;
                }
                if (first == null) {
                    first = r.startLsn();
                }
                frames.emit(r, sink); // an oversized record throws before anything of it is published
                sink.complete(r.endLsn().value(), relations == null ? List.of() : relations.changes(r));
                last = r.endLsn().value();
            }
        } catch (WalFormatException e) {
            error = e.getMessage();
            LOG.error("{}: {}; published up to {}", name, error, Lsn.format(last));
        } catch (IOException e) {
            error = "read failed: " + e;
            LOG.error("{}: {}; published up to {}", name, error, Lsn.format(last));
        } catch (PublishException e) {
            publishError = e.getMessage();
        }
        if (publishError == null) {
            try {
                publisher.endOfStream();
            } catch (PublishException e) {
                publishError = e.getMessage();
            }
        }
        if (relations != null) {
            LOG.info("{}: {} relation size changes published, {} forks exist, {} records with malformed main data",
                    name, relations.changes(), relations.forks(), relations.malformed());
        }
        return new PgWalResult(name, frames.stats().snapshot(), first, last, endReason, error, publisher.watermarkLsn(),
                publishError);
    }
}
