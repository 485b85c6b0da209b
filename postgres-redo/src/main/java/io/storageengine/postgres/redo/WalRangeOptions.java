package io.storageengine.postgres.redo;

import java.nio.file.Path;

import io.storageengine.schemas.wal.Lsn;

/**
 * The command line shared by {@code pg-verify} and {@code pg-replay}: a WAL directory, an LSN
 * range, whether the server logged hint bits, the page-set bound, and (pg-replay only) the number
 * of passes. Immutable.
 *
 * @param start null: from the first record; {@code end} null: to the last
 */
record WalRangeOptions(Path dir, Lsn start, Lsn end, boolean hintBitsLogged, int maxPages, int passes) {

    static final String USAGE = "--pg-wal DIR [--start-lsn X/Y] [--end-lsn X/Y] [--hint-bits-logged] [--max-pages N]";

    /**
     * Parses {@code args}; {@code --passes N} only when {@code passesAllowed}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static WalRangeOptions parse(String[] args, boolean passesAllowed) {
        Path dir = null;
        Lsn start = null;
        Lsn end = null;
        boolean hints = false;
        int maxPages = PgVerify.DEFAULT_MAX_PAGES;
        int passes = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pg-wal" -> dir = Path.of(value(args, ++i));
                case "--start-lsn" -> start = Lsn.parse(value(args, ++i));
                case "--end-lsn" -> end = Lsn.parse(value(args, ++i));
                case "--hint-bits-logged" -> hints = true;
                case "--max-pages" -> maxPages = Integer.parseInt(value(args, ++i));
                case "--passes" -> {
                    if (!passesAllowed) {
                        throw new IllegalArgumentException("unknown argument --passes");
                    }
                    passes = Integer.parseInt(value(args, ++i));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--pg-wal DIR is required");
        }
        if (passes < 1) {
            throw new IllegalArgumentException("--passes must be >= 1");
        }
        return new WalRangeOptions(dir, start, end, hints, maxPages, passes);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
