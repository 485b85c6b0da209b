package io.storageengine.postgres.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.storageengine.schemas.wal.Lsn;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test helper: parses {@code pg_waldump -b} output (PostgreSQL 15's format, {@code pg_waldump.c
 * XLogDumpDisplayRecord} and {@code xlogdesc.c XLogRecGetBlockRefInfo}) and compares a decoded
 * record with what pg_waldump printed for it.
 */
final class Waldump {

    private Waldump() {
    }

    record Block(int id, long spc, long db, long rel, String fork, long blk, boolean image, boolean apply,
                 int holeOffset, int holeLength, String method) {
    }

    record Rec(String rmgr, int recLen, int totLen, long xid, long lsn, long prev, String desc, List<Block> blocks,
               String line) {
    }

    private static final Pattern REC = Pattern.compile(
            "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s+(\\d+)/\\s*(\\d+), tx:\\s+(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), "
                    + "prev ([0-9A-F]+/[0-9A-F]+), desc: (.*)$");
    private static final Pattern BLK = Pattern.compile(
            "^\\tblkref #(\\d+): rel (\\d+)/(\\d+)/(\\d+) fork (\\w+) blk (\\d+)"
                    + "(?: \\(FPW( for WAL verification)?\\); hole: offset: (\\d+), length: (\\d+)"
                    + "(?:, compression saved: \\d+, method: (\\w+))?)?$");

    static List<Rec> parse(String output) {
        List<Rec> out = new ArrayList<>();
        String[] lines = output.split("\n");
        int i = 0;
        while (i < lines.length) {
            String line = lines[i++];
            Matcher m = REC.matcher(line);
            if (!m.matches()) {
                continue;
            }
            List<Block> blocks = new ArrayList<>();
            while (i < lines.length && lines[i].startsWith("\tblkref #")) {
                Matcher b = BLK.matcher(lines[i]);
                assertThat(b.matches()).as("pg_waldump block line %s", lines[i]).isTrue();
                boolean image = b.group(7) != null || b.group(8) != null;
                blocks.add(new Block(Integer.parseInt(b.group(1)), Long.parseLong(b.group(2)), Long.parseLong(b.group(3)),
                        Long.parseLong(b.group(4)), b.group(5), Long.parseLong(b.group(6)), image,
                        image && b.group(7) == null, image ? Integer.parseInt(b.group(8)) : 0,
                        image ? Integer.parseInt(b.group(9)) : 0, b.group(10) == null ? (image ? "none" : null) : b.group(10)));
                i++;
            }
            out.add(new Rec(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4)), Lsn.parse(m.group(5)).value(), Lsn.parse(m.group(6)).value(),
                    m.group(7), List.copyOf(blocks), line));
        }
        return out;
    }

    static String forkName(int fork) {
        return switch (fork) {
            case 0 -> "main";
            case 1 -> "fsm";
            case 2 -> "vm";
            case 3 -> "init";
            default -> "?" + fork;
        };
    }

    /** Asserts that {@code r} is the record pg_waldump printed as {@code d}, block references and images included. */
    static void assertSame(DecodedRecord r, Rec d) {
        String ctx = d.line();
        assertThat(r.startLsn().value()).as("lsn of %s", ctx).isEqualTo(d.lsn());
        assertThat(r.rmgr().waldumpName()).as("rmgr of %s", ctx).isEqualTo(d.rmgr());
        assertThat(r.totalLength()).as("tot len of %s", ctx).isEqualTo(d.totLen());
        assertThat(r.totalLength() - r.imageBytes()).as("rec len of %s", ctx).isEqualTo(d.recLen());
        assertThat(Integer.toUnsignedLong(r.xid())).as("xid of %s", ctx).isEqualTo(d.xid());
        assertThat(r.prevLsn().value()).as("prev of %s", ctx).isEqualTo(d.prev());
        assertThat(d.desc().equals(r.recordName()) || d.desc().startsWith(r.recordName() + " "))
                .as("desc of %s starts with %s", ctx, r.recordName()).isTrue();
        assertThat(r.blocks()).as("blocks of %s", ctx).hasSize(d.blocks().size());
        for (int k = 0; k < d.blocks().size(); k++) {
            Block e = d.blocks().get(k);
            BlockRef b = r.blocks().get(k);
            String bctx = ctx + " block " + e.id();
            assertThat(b.id()).as(bctx).isEqualTo(e.id());
            assertThat(r.block(e.id())).as(bctx).isSameAs(b);
            assertThat(Integer.toUnsignedLong(b.spcOid())).as(bctx).isEqualTo(e.spc());
            assertThat(Integer.toUnsignedLong(b.dbOid())).as(bctx).isEqualTo(e.db());
            assertThat(Integer.toUnsignedLong(b.relNumber())).as(bctx).isEqualTo(e.rel());
            assertThat(forkName(b.fork())).as(bctx).isEqualTo(e.fork());
            assertThat(b.blockNumber()).as(bctx).isEqualTo(e.blk());
            assertThat(b.image() != null).as("image of %s", bctx).isEqualTo(e.image());
            if (e.image()) {
                BlockImage img = b.image();
                assertThat(img.apply()).as(bctx).isEqualTo(e.apply());
                assertThat(img.holeOffset()).as(bctx).isEqualTo(e.holeOffset());
                assertThat(img.holeLength()).as(bctx).isEqualTo(e.holeLength());
                assertThat(img.compression().name().toLowerCase(Locale.ROOT)).as(bctx).isEqualTo(e.method());
                assertRestoredPage(img, bctx);
            }
        }
    }

    /**
     * The restored page is 8192 bytes, and (PostgreSQL computes the hole from the page header) a
     * page with a hole has pd_lower = hole start, pd_upper = hole end and a standard page-size field.
     */
    static void assertRestoredPage(BlockImage img, String ctx) {
        byte[] page = img.restorePage();
        assertThat(page).as(ctx).hasSize(8192);
        if (img.hasHole()) {
            int lower = DecodedRecord.le16(page, 12);
            int upper = DecodedRecord.le16(page, 14);
            int sizeVersion = DecodedRecord.le16(page, 18);
            assertThat(lower).as("pd_lower of %s", ctx).isEqualTo(img.holeOffset());
            assertThat(upper).as("pd_upper of %s", ctx).isEqualTo(img.holeOffset() + img.holeLength());
            assertThat(sizeVersion).as("pd_pagesize_version of %s", ctx).isEqualTo(8192 | 4);
            for (int i = img.holeOffset(); i < upper; i++) {
                assertThat(page[i]).as("hole byte %d of %s", i, ctx).isZero();
            }
        }
    }
}
