package io.storageengine.postgres.redo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code pg-page}'s comparison: two 8 KiB page files (the page the storage engine served and
 * PostgreSQL's {@code get_raw_page} of the same block), masked as PostgreSQL masks that kind of
 * page ({@link PageMasking}), then compared. Prints {@code equal}, or
 * {@code differ at byte N (ours 0x.., theirs 0x..)}; exit status 0 equal, 1 differ, 2 bad usage or
 * unreadable input (a file that is not exactly 8192 bytes names the file).
 *
 * <pre>
 * pg-page-compare OURS_FILE THEIRS_FILE KIND BLOCK     KIND: heap, btree, hash, gin, gist, brin, spgist, vm
 * </pre>
 */
public final class PgPageCompare {

    private PgPageCompare() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 4) {
            err.println("usage: pg-page-compare OURS_FILE THEIRS_FILE KIND BLOCK");
            return 2;
        }
        try {
            byte[] ours = read(Path.of(args[0]));
            byte[] theirs = read(Path.of(args[1]));
            RelationKind kind = RelationKind.parse(args[2]);
            int block = Integer.parseUnsignedInt(args[3]);
            if (!PageMasking.comparable(kind, block)) {
                err.println("pg-page-compare: " + kind.name().toLowerCase(java.util.Locale.ROOT) + " block "
                        + args[3] + " is not compared: PostgreSQL changes it without WAL");
                return 2;
            }
            int at = PageMasking.firstDifference(ours, theirs, kind, block);
            if (at < 0) {
                out.println("equal");
                return 0;
            }
            out.printf("differ at byte %d (ours 0x%02x, theirs 0x%02x, unmasked)%n", at, ours[at] & 0xff,
                    theirs[at] & 0xff);
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("pg-page-compare: " + e.getMessage());
            return 2;
        }
    }

    private static byte[] read(Path file) throws IOException {
        byte[] page = Files.readAllBytes(file);
        if (page.length != PageMasking.PAGE_SIZE) {
            throw new IOException(file + ": " + page.length + " bytes, a page is " + PageMasking.PAGE_SIZE);
        }
        return page;
    }
}
