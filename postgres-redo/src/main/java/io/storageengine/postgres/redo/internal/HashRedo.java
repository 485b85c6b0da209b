package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the Hash resource manager (PostgreSQL 15 {@code hash_xlog.c}, page set-up of
 * {@code hashpage.c} and {@code hashovfl.c}). Unlike the other resource managers, two routines
 * (SPLIT_ALLOCATE_PAGE, SPLIT_COMPLETE) change a page after restoring its image, so Hash blocks
 * do not take the engine's image-first shortcut: {@link BlockRedo#read} restores images here.
 * Page layout: opaque area (prevblkno u32, nextblkno u32, bucket u32, flag u16, page_id u16) in
 * the 16-byte special space; metapage fields after the page header. Stateless.
 */
public final class HashRedo {

    /** Record kinds, by {@code info >> 4}. */
    public enum Kind {
        INIT_META_PAGE, INIT_BITMAP_PAGE, INSERT, ADD_OVFL_PAGE, SPLIT_ALLOCATE_PAGE, SPLIT_PAGE, SPLIT_COMPLETE,
        MOVE_PAGE_CONTENTS, SQUEEZE_PAGE, DELETE, SPLIT_CLEANUP, UPDATE_META_PAGE, VACUUM_ONE_PAGE, UNKNOWN_D,
        UNKNOWN_E, UNKNOWN_F
    }

    /** {@code values()} once: it copies the array on every call. */
    private static final Kind[] KINDS = Kind.values();

    static final int OPAQUE_SIZE = 16;
    static final int LH_OVERFLOW_PAGE = 1;
    static final int LH_BUCKET_PAGE = 1 << 1;
    static final int LH_BITMAP_PAGE = 1 << 2;
    static final int LH_META_PAGE = 1 << 3;
    static final int LH_BUCKET_NEEDS_SPLIT_CLEANUP = 1 << 6;
    static final int LH_PAGE_HAS_DEAD_TUPLES = 1 << 7;
    static final int LH_PAGE_TYPE = LH_OVERFLOW_PAGE | LH_BUCKET_PAGE | LH_BITMAP_PAGE | LH_META_PAGE;
    private static final int HASHO_PAGE_ID = 0xFF80;
    private static final int HASH_MAGIC = 0x6440640;
    private static final int HASH_VERSION = 4;
    private static final int INVALID = 0xFFFFFFFF;
    private static final int MAX_SPLITPOINTS = 98;
    private static final int MAX_BITMAPS = 1024;
    private static final int META = Page.HEADER_SIZE;
    // HashMetaPageData field offsets (from the page start)
    private static final int M_NTUPLES = META + 8;
    private static final int M_MAXBUCKET = META + 24;
    private static final int M_HIGHMASK = META + 28;
    private static final int M_LOWMASK = META + 32;
    private static final int M_OVFLPOINT = META + 36;
    private static final int M_FIRSTFREE = META + 40;
    private static final int M_NMAPS = META + 44;
    private static final int M_SPARES = META + 52;
    private static final int M_MAPP = M_SPARES + 4 * MAX_SPLITPOINTS;
    private static final int META_SIZE = 4544;
    private static final int SPLIT_META_UPDATE_MASKS = 1;
    private static final int SPLIT_META_UPDATE_SPLITPOINT = 2;

    private HashRedo() {
    }

    static boolean redo(BlockRedo r) {
        switch (KINDS[(r.record().info() & 0xF0) >> 4]) {
            case INIT_META_PAGE -> initMetaPage(r);
            case INIT_BITMAP_PAGE -> initBitmapPage(r);
            case INSERT -> insert(r);
            case ADD_OVFL_PAGE -> addOvflPage(r);
            case SPLIT_ALLOCATE_PAGE -> splitAllocate(r);
            case SPLIT_PAGE -> {
                if (r.read(0) != Action.RESTORED) {
                    throw r.fail("Hash split record did not contain a full-page image");
                }
            }
            case SPLIT_COMPLETE -> splitComplete(r);
            case MOVE_PAGE_CONTENTS -> moveOrSqueeze(r, false);
            case SQUEEZE_PAGE -> moveOrSqueeze(r, true);
            case DELETE -> delete(r);
            case SPLIT_CLEANUP -> {
                if (r.read(0) == Action.NEEDS_REDO) {
                    setFlag(r.bytes(), flag(r.bytes()) & ~LH_BUCKET_NEEDS_SPLIT_CLEANUP);
                    r.page().setLsn(r.lsn());
                }
            }
            case UPDATE_META_PAGE -> {
                byte[] main = r.mainData(8);
                if (r.read(0) == Action.NEEDS_REDO) {
                    System.arraycopy(main, 0, r.bytes(), M_NTUPLES, 8);
                    r.page().setLsn(r.lsn());
                }
            }
            case VACUUM_ONE_PAGE -> vacuumOnePage(r);
            case UNKNOWN_D, UNKNOWN_E, UNKNOWN_F -> {
                return false;
            }
        }
        return true;
    }

    // ---- page layout helpers

    private static int opaque(byte[] p) {
        return new Page(p).special();
    }

    static int flag(byte[] p) {
        return Page.u16(p, opaque(p) + 12);
    }

    private static void setFlag(byte[] p, int flag) {
        Page.setU16(p, opaque(p) + 12, flag);
    }

    private static void setPrev(byte[] p, int blk) {
        Page.setI32(p, opaque(p), blk);
    }

    private static void setNext(byte[] p, int blk) {
        Page.setI32(p, opaque(p) + 4, blk);
    }

    /** _hash_pageinit + the opaque fields, as _hash_initbuf and friends set them. */
    private static void initPage(byte[] p, int prev, int next, int bucket, int flag) {
        new Page(p).init(OPAQUE_SIZE);
        int o = opaque(p);
        Page.setI32(p, o, prev);
        Page.setI32(p, o + 4, next);
        Page.setI32(p, o + 8, bucket);
        Page.setU16(p, o + 12, flag);
        Page.setU16(p, o + 14, HASHO_PAGE_ID);
    }

    private static void initBitmap(byte[] p, int bmsize) {
        initPage(p, INVALID, INVALID, INVALID, LH_BITMAP_PAGE);
        java.util.Arrays.fill(p, Page.HEADER_SIZE, Page.HEADER_SIZE + bmsize, (byte) 0xFF);
        new Page(p).setLower(Page.HEADER_SIZE + bmsize);
    }

    private static double getDouble(byte[] p, int off) {
        return Double.longBitsToDouble((Page.i32(p, off) & 0xFFFFFFFFL) | ((long) Page.i32(p, off + 4) << 32));
    }

    private static void putDouble(byte[] p, int off, double v) {
        long bits = Double.doubleToRawLongBits(v);
        Page.setI32(p, off, (int) bits);
        Page.setI32(p, off + 4, (int) (bits >>> 32));
    }

    private static int u32(BlockRedo r, int blockId, int off) {
        byte[] d = r.data(blockId);
        if (d.length < off + 4) {
            throw r.fail("block reference #" + blockId + " data is " + d.length + " bytes");
        }
        return Page.i32(d, off);
    }

    // ---- routines

    private static void initMetaPage(BlockRedo r) {
        byte[] main = r.mainData(14);
        if (!r.init(0)) {
            return;
        }
        double numTuples = getDouble(main, 0);
        int procid = Page.i32(main, 8);
        int ffactor = Page.u16(main, 12);
        double dnumbuckets = numTuples / ffactor;
        long numBuckets;
        if (dnumbuckets <= 2.0) {
            numBuckets = 2;
        } else if (dnumbuckets >= (double) 0x40000000) {
            numBuckets = 0x40000000;
        } else {
            numBuckets = totalBuckets(spareIndex((long) dnumbuckets));
        }
        int spareIndex = spareIndex(numBuckets);
        byte[] p = r.bytes();
        initPage(p, INVALID, INVALID, INVALID, LH_META_PAGE);
        Page.setI32(p, META, HASH_MAGIC);
        Page.setI32(p, META + 4, HASH_VERSION);
        putDouble(p, M_NTUPLES, 0);
        Page.setU16(p, META + 16, ffactor);
        int bsize = Page.SIZE - (Page.HEADER_SIZE + OPAQUE_SIZE);
        int lshift = 31 - Integer.numberOfLeadingZeros(bsize);
        Page.setU16(p, META + 18, bsize);
        Page.setU16(p, META + 20, 1 << lshift);
        Page.setU16(p, META + 22, lshift + 3);
        Page.setI32(p, META + 48, procid);
        Page.setI32(p, M_MAXBUCKET, (int) (numBuckets - 1));
        int highmask = (int) (nextPowerOf2(numBuckets + 1) - 1);
        Page.setI32(p, M_HIGHMASK, highmask);
        Page.setI32(p, M_LOWMASK, highmask >>> 1);
        Page.setI32(p, M_SPARES + 4 * spareIndex, 1);
        Page.setI32(p, M_OVFLPOINT, spareIndex);
        Page.setI32(p, M_FIRSTFREE, 0);
        r.page().setLower(META + META_SIZE);
        r.page().setLsn(r.lsn());
    }

    private static long nextPowerOf2(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    private static int ceilLog2(long n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
    }

    /** _hash_spareindex. */
    static int spareIndex(long numBucket) {
        int group = ceilLog2(numBucket & 0xFFFFFFFFL);
        if (group < 10) {
            return group;
        }
        int phases = 10 + ((group - 10) << 2);
        phases += (int) ((((numBucket & 0xFFFFFFFFL) - 1) >> (group - 3)) & 3);
        return phases;
    }

    /** _hash_get_totalbuckets. */
    static long totalBuckets(int phase) {
        if (phase < 10) {
            return 1L << phase;
        }
        int group = 10 + ((phase - 10) >> 2);
        long total = 1L << (group - 1);
        int within = ((phase - 10) & 3) + 1;
        return total + ((1L << (group - 1)) >> 2) * within;
    }

    private static void initBitmapPage(BlockRedo r) {
        int bmsize = Page.u16(r.mainData(2), 0);
        if (r.init(0)) {
            initBitmap(r.bytes(), bmsize);
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            byte[] p = r.bytes();
            int nmaps = Page.i32(p, M_NMAPS);
            checkMaps(r, nmaps);
            Page.setI32(p, M_MAPP + 4 * nmaps, Page.i32(p, M_MAXBUCKET) + 2);
            Page.setI32(p, M_NMAPS, nmaps + 1);
            r.page().setLsn(r.lsn());
        }
    }

    private static void checkMaps(BlockRedo r, int nmaps) {
        if (nmaps < 0 || nmaps >= MAX_BITMAPS) {
            throw r.fail("hash metapage has " + nmaps + " bitmap pages");
        }
    }

    private static void insert(BlockRedo r) {
        int offnum = Page.u16(r.mainData(2), 0);
        if (r.read(0) == Action.NEEDS_REDO) {
            byte[] d = r.data(0);
            if (r.page().addItem(d, 0, d.length, offnum, false, false) == 0) {
                throw r.fail("hash_xlog_insert: failed to add item at " + offnum);
            }
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            putDouble(r.bytes(), M_NTUPLES, getDouble(r.bytes(), M_NTUPLES) + 1);
            r.page().setLsn(r.lsn());
        }
    }

    private static void addOvflPage(BlockRedo r) {
        byte[] main = r.mainData(3);
        int bmsize = Page.u16(main, 0);
        boolean bmpageFound = main[2] != 0;
        int rightBlk = r.block(0).blockNumber();
        int leftBlk = r.block(1).blockNumber();
        if (r.init(0)) {
            initPage(r.bytes(), leftBlk, INVALID, u32(r, 0, 0), LH_OVERFLOW_PAGE);
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            setNext(r.bytes(), rightBlk);
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(2) != null && r.read(2) == Action.NEEDS_REDO) {
            setBit(r, u32(r, 2, 0), true);
            r.page().setLsn(r.lsn());
        }
        RedoBlock newMap = r.record().block(3);
        if (newMap != null && r.init(3)) {
            initBitmap(r.bytes(), bmsize);
            r.page().setLsn(r.lsn());
        }
        if (r.read(4) == Action.NEEDS_REDO) {
            byte[] p = r.bytes();
            Page.setI32(p, M_FIRSTFREE, u32(r, 4, 0));
            if (!bmpageFound) {
                int sp = M_SPARES + 4 * ovflPoint(r);
                Page.setI32(p, sp, Page.i32(p, sp) + 1);
                if (newMap != null) {
                    int nmaps = Page.i32(p, M_NMAPS);
                    checkMaps(r, nmaps);
                    Page.setI32(p, M_MAPP + 4 * nmaps, newMap.blockNumber());
                    Page.setI32(p, M_NMAPS, nmaps + 1);
                    Page.setI32(p, sp, Page.i32(p, sp) + 1);
                }
            }
            r.page().setLsn(r.lsn());
        }
    }

    private static int ovflPoint(BlockRedo r) {
        int op = Page.i32(r.bytes(), M_OVFLPOINT);
        if (op < 0 || op >= MAX_SPLITPOINTS) {
            throw r.fail("hash metapage ovflpoint " + op + " out of range");
        }
        return op;
    }

    /** SETBIT / CLRBIT on the bitmap page's uint32 words (little-endian: byte n/8, bit n%8). */
    private static void setBit(BlockRedo r, int bit, boolean set) {
        long n = Integer.toUnsignedLong(bit);
        int i = Page.HEADER_SIZE + (int) (n / 8);
        if (n / 8 >= Page.SIZE - Page.HEADER_SIZE - OPAQUE_SIZE) {
            throw r.fail("bitmap bit " + n + " is past the bitmap page");
        }
        byte[] p = r.bytes();
        p[i] = (byte) (set ? p[i] | (1 << (n % 8)) : p[i] & ~(1 << (n % 8)));
    }

    private static void splitAllocate(BlockRedo r) {
        byte[] main = r.mainData(9);
        int newBucket = Page.i32(main, 0);
        int oldFlag = Page.u16(main, 4);
        int newFlag = Page.u16(main, 6);
        int flags = main[8] & 0xFF;
        Action a = r.read(0);
        if (a == Action.NEEDS_REDO || a == Action.RESTORED) {
            setFlag(r.bytes(), oldFlag);
            setPrev(r.bytes(), newBucket);
            r.page().setLsn(r.lsn());
        }
        if (r.init(1)) {
            initPage(r.bytes(), newBucket, INVALID, newBucket, newFlag);
            r.page().setLsn(r.lsn());
        }
        if (r.read(2) == Action.NEEDS_REDO) {
            byte[] p = r.bytes();
            Page.setI32(p, M_MAXBUCKET, newBucket);
            int pos = 0;
            if ((flags & SPLIT_META_UPDATE_MASKS) != 0) {
                Page.setI32(p, M_LOWMASK, u32(r, 2, pos));
                Page.setI32(p, M_HIGHMASK, u32(r, 2, pos + 4));
                pos += 8;
            }
            if ((flags & SPLIT_META_UPDATE_SPLITPOINT) != 0) {
                int ovflpoint = u32(r, 2, pos);
                if (ovflpoint < 0 || ovflpoint >= MAX_SPLITPOINTS) {
                    throw r.fail("split point " + ovflpoint + " out of range");
                }
                Page.setI32(p, M_SPARES + 4 * ovflpoint, u32(r, 2, pos + 4));
                Page.setI32(p, M_OVFLPOINT, ovflpoint);
            }
            r.page().setLsn(r.lsn());
        }
    }

    private static void splitComplete(BlockRedo r) {
        byte[] main = r.mainData(4);
        for (int blockId = 0; blockId < 2; blockId++) {
            Action a = r.read(blockId);
            if (a == Action.NEEDS_REDO || a == Action.RESTORED) {
                setFlag(r.bytes(), Page.u16(main, 2 * blockId));
                r.page().setLsn(r.lsn());
            }
        }
    }

    /** MOVE_PAGE_CONTENTS and SQUEEZE_PAGE: tuples added to the write page (block 1), then the rest. */
    private static void moveOrSqueeze(BlockRedo r, boolean squeeze) {
        byte[] main = r.mainData(squeeze ? 12 : 3);
        int ntups = Page.u16(main, squeeze ? 8 : 0);
        boolean primSame = main[squeeze ? 10 : 2] != 0;
        if (!primSame && r.record().block(0) != null) {
            r.read(0); // the primary bucket page is only locked
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            byte[] data = r.block(1).hasData() ? r.block(1).data() : new byte[0];
            Page page = r.page();
            int pos = 2 * ntups;
            int n = 0;
            while (pos < data.length) {
                if (n >= ntups || pos + 8 > data.length) {
                    throw r.fail("more tuples in the block data than the record's " + ntups);
                }
                int sz = Page.maxAlign(IndexTuple.size(data, pos));
                if (sz == 0 || pos + sz > data.length || page.addItem(data, pos, sz, Page.u16(data, 2 * n), false,
                        false) == 0) {
                    throw r.fail("failed to add item to hash index page, size " + sz + " bytes");
                }
                pos += sz;
                n++;
            }
            if (n != ntups) {
                throw r.fail("moved " + n + " tuples, the record says " + ntups);
            }
            if (squeeze && main[11] != 0) {
                setNext(r.bytes(), Page.i32(main, 4));
            }
            page.setLsn(r.lsn());
        }
        if (!squeeze) {
            if (r.read(2) == Action.NEEDS_REDO) {
                deleteOffsets(r, 2);
                r.page().setLsn(r.lsn());
            }
            return;
        }
        if (r.read(2) == Action.NEEDS_REDO) {
            initPage(r.bytes(), INVALID, INVALID, INVALID, 0);
            r.page().setLsn(r.lsn());
        }
        if (main[11] == 0 && r.read(3) == Action.NEEDS_REDO) {
            setNext(r.bytes(), Page.i32(main, 4));
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(4) != null && r.read(4) == Action.NEEDS_REDO) {
            setPrev(r.bytes(), Page.i32(main, 0));
            r.page().setLsn(r.lsn());
        }
        if (r.read(5) == Action.NEEDS_REDO) {
            setBit(r, u32(r, 5, 0), false);
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(6) != null && r.read(6) == Action.NEEDS_REDO) {
            Page.setI32(r.bytes(), M_FIRSTFREE, u32(r, 6, 0));
            r.page().setLsn(r.lsn());
        }
    }

    private static void deleteOffsets(BlockRedo r, int blockId) {
        byte[] d = r.block(blockId).hasData() ? r.block(blockId).data() : new byte[0];
        int n = d.length / 2;
        if (n > 0) {
            int[] offs = new int[n];
            for (int i = 0; i < n; i++) {
                offs[i] = Page.u16(d, 2 * i);
            }
            PageItems.indexMultiDelete(r.page(), offs, n);
        }
    }

    private static void delete(BlockRedo r) {
        byte[] main = r.mainData(2);
        boolean clearDead = main[0] != 0;
        boolean primary = main[1] != 0;
        if (!primary && r.record().block(0) != null) {
            r.read(0); // the primary bucket page is only locked
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            deleteOffsets(r, 1);
            if (clearDead) {
                setFlag(r.bytes(), flag(r.bytes()) & ~LH_PAGE_HAS_DEAD_TUPLES);
            }
            r.page().setLsn(r.lsn());
        }
    }

    private static void vacuumOnePage(BlockRedo r) {
        byte[] main = r.mainData(8);
        int ntuples = Page.i32(main, 4);
        if (r.read(0) == Action.NEEDS_REDO) {
            if (main.length > 8) {
                if (ntuples < 0 || main.length < 8 + 2 * ntuples) {
                    throw r.fail("vacuum record lists " + ntuples + " offsets in " + (main.length - 8) + " bytes");
                }
                int[] offs = new int[ntuples];
                for (int i = 0; i < ntuples; i++) {
                    offs[i] = Page.u16(main, 8 + 2 * i);
                }
                PageItems.indexMultiDelete(r.page(), offs, ntuples);
            }
            setFlag(r.bytes(), flag(r.bytes()) & ~LH_PAGE_HAS_DEAD_TUPLES);
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            putDouble(r.bytes(), M_NTUPLES, getDouble(r.bytes(), M_NTUPLES) - ntuples);
            r.page().setLsn(r.lsn());
        }
    }
}
