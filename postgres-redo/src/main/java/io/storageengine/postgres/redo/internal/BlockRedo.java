package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.RedoException;

/**
 * The redo of one record for one target block: the page as it was (modified in place), the
 * record, the target block id and the record's end LSN. PostgreSQL's redo routines work on all
 * of a record's blocks; ours run the same code but only the parts for the target block do
 * anything: {@link #read} and {@link #init} answer {@link Action#OTHER_BLOCK} for other blocks.
 * {@link #read} is {@code XLogReadBufferForRedoExtended} (image restore, LSN interlock), {@link
 * #init} is {@code XLogInitBufferForRedo}. Not thread-safe: one per apply call.
 */
public final class BlockRedo {

    /** XLogRedoAction, plus OTHER_BLOCK for block references that are not the target. */
    public enum Action { OTHER_BLOCK, NEEDS_REDO, RESTORED, DONE }

    private final byte[] page;
    private final Page view;
    private final RedoRecord rec;
    private final int target;
    private final long lsn;
    private final boolean hintBitsLogged;
    private boolean touched;

    public BlockRedo(byte[] page, RedoRecord rec, int target, long lsn, boolean hintBitsLogged) {
        this.page = page;
        this.view = new Page(page);
        this.rec = rec;
        this.target = target;
        this.lsn = lsn;
        this.hintBitsLogged = hintBitsLogged;
    }

    public byte[] bytes() {
        return page;
    }

    public Page page() {
        return view;
    }

    public RedoRecord record() {
        return rec;
    }

    public long lsn() {
        return lsn;
    }

    public int target() {
        return target;
    }

    /** XLogHintBitIsNeeded(): data checksums or wal_log_hints on the server that wrote the WAL. */
    public boolean hintBitsLogged() {
        return hintBitsLogged;
    }

    /** Whether a redo step reached the target block. */
    public boolean touched() {
        return touched;
    }

    /** Marks the target block as handled by a routine that leaves it unchanged on purpose. */
    public void markTouched() {
        touched = true;
    }

    public boolean isTarget(int blockId) {
        return blockId == target;
    }

    /** The block reference, or a RedoException when the record lacks it. */
    public RedoBlock block(int blockId) {
        RedoBlock b = rec.block(blockId);
        if (b == null) {
            throw fail("the record has no block reference #" + blockId);
        }
        return b;
    }

    /** XLogReadBufferForRedo (RBM_NORMAL): an uninitialized page is an error. */
    public Action read(int blockId) {
        return read(blockId, false);
    }

    /**
     * XLogReadBufferForRedoExtended. {@code zeroOnError} is RBM_ZERO_ON_ERROR (a new page is
     * acceptable, the caller initializes it).
     */
    public Action read(int blockId, boolean zeroOnError) {
        if (blockId != target) {
            return Action.OTHER_BLOCK;
        }
        touched = true;
        RedoBlock b = block(blockId);
        if (b.willInit()) {
            throw fail("block reference #" + blockId + " has WILL_INIT but its redo reads the page");
        }
        if (b.applyImage()) {
            restoreImage(b);
            return Action.RESTORED;
        }
        if (!zeroOnError && view.isNew()) {
            throw fail("the page is not initialized (all-zero or pd_upper 0) and the record does not initialize it");
        }
        return Long.compareUnsigned(lsn, view.lsn()) <= 0 ? Action.DONE : Action.NEEDS_REDO;
    }

    /** XLogInitBufferForRedo: true (page zeroed) when blockId is the target. */
    public boolean init(int blockId) {
        if (blockId != target) {
            return false;
        }
        touched = true;
        RedoBlock b = block(blockId);
        java.util.Arrays.fill(page, (byte) 0);
        if (b.applyImage()) {
            restoreImage(b);
        }
        return true;
    }

    /** Restores the block's image and stamps the LSN unless the image is a new page (as PostgreSQL). */
    public void restoreImage(RedoBlock b) {
        byte[] img = b.image() == null ? null : b.image().get();
        if (img == null || img.length != Page.SIZE) {
            throw fail("block reference #" + b.id() + " has no usable full-page image");
        }
        System.arraycopy(img, 0, page, 0, Page.SIZE);
        if (!view.isNew()) {
            view.setLsn(lsn);
        }
    }

    /** The target block's data, or an error when the record carries none. */
    public byte[] data(int blockId) {
        RedoBlock b = block(blockId);
        if (!b.hasData()) {
            throw fail("block reference #" + blockId + " carries no data");
        }
        return b.data();
    }

    public byte[] mainData(int minLength) {
        byte[] d = rec.mainData();
        if (d == null || d.length < minLength) {
            throw fail("main data is " + (d == null ? 0 : d.length) + " bytes, at least " + minLength + " expected");
        }
        return d;
    }

    /** Checks that item {@code offnum} exists; PostgreSQL would PANIC on it otherwise. */
    public void checkItem(int offnum, boolean mustBeNormal) {
        if (offnum < 1 || offnum > view.maxOffset()) {
            throw fail("item " + offnum + " does not exist (the page has " + view.maxOffset() + ")");
        }
        if (mustBeNormal && !view.lpIsNormal(offnum)) {
            throw fail("item " + offnum + " is not a normal line pointer (flags " + view.lpFlags(offnum) + ")");
        }
        if (view.lpIsNormal(offnum) && view.lpOff(offnum) + view.lpLen(offnum) > Page.SIZE) {
            throw fail("item " + offnum + " runs past the page");
        }
    }

    public String describePage() {
        RedoBlock b = rec.block(target);
        return b == null ? "block reference #" + target : b.describe();
    }

    public RedoException fail(String message) {
        return new RedoException(describePage(), lsn, message);
    }
}
