package io.storageengine.postgres.redo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.schemas.wal.Lsn;

/**
 * {@code pg-verify}: runs the {@link ConsistencyChecker} over WAL segment files written with
 * {@code wal_consistency_checking = all}, streaming (one segment buffer, a bounded page set).
 * Prints mismatches, unsupported kinds and errors, then {@code N records checked, M blocks equal,
 * K differ}. Exit status 0 when nothing differs and nothing failed, 1 otherwise, 2 on bad usage
 * or unreadable WAL.
 *
 * <pre>
 * pg-verify --pg-wal DIR [--start-lsn X/Y] [--end-lsn X/Y] [--hint-bits-logged] [--max-pages N]
 * </pre>
 */
public final class PgVerify {

    /** Default bound on tracked pages: 16,384 pages, 128 MiB. */
    public static final int DEFAULT_MAX_PAGES = 16_384;

    private PgVerify() {
    }

    /** Checks the records of {@code pgWal} that end after {@code start} and at or before {@code end} (null: all). */
    public static CheckReport verify(Path pgWal, Lsn start, Lsn end, boolean hintBitsLogged, int maxPages)
            throws IOException {
        return verify(pgWal, start, end, new ConsistencyChecker(new PgRedoEngine(hintBitsLogged), maxPages));
    }

    /** As above, with a checker set up by the caller (e.g. with a listener). */
    public static CheckReport verify(Path pgWal, Lsn start, Lsn end, ConsistencyChecker checker) throws IOException {
        try (WalSegmentSource src = WalSegmentSource.open(pgWal); XLogReader reader = XLogReader.open(src, start)) {
            DecodedRecord rec;
            while ((rec = reader.next()) != null) {
                if (end != null && rec.endLsn().isAfter(end)) {
                    break;
                }
                checker.check(rec);
                if (Thread.currentThread().isInterrupted()) {
                    throw new IOException("pg-verify cancelled at " + rec.endLsn());
                }
            }
        }
        return checker.report();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        WalRangeOptions o;
        try {
            o = WalRangeOptions.parse(args, false);
        } catch (RuntimeException e) {
            err.println("pg-verify: " + e.getMessage());
            err.println("usage: pg-verify " + WalRangeOptions.USAGE);
            return 2;
        }
        try {
            CheckReport report = verify(o.dir(), o.start(), o.end(), o.hintBitsLogged(), o.maxPages());
            out.print(report.describe());
            return report.differ() == 0 && report.errors().isEmpty() ? 0 : 1;
        } catch (IOException | WalFormatException e) {
            err.println("pg-verify: " + e.getMessage());
            return 2;
        }
    }
}
