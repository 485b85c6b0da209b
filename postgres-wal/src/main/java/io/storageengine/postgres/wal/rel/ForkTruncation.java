package io.storageengine.postgres.wal.rel;

/**
 * The new lengths PostgreSQL 15 gives the free-space map and visibility map forks when the heap is
 * truncated to {@code heapBlocks} blocks ({@code FreeSpaceMapPrepareTruncateRel},
 * {@code visibilitymap_prepare_truncate} in 8 KiB-page builds). In both cases the fork keeps the
 * map page that covers the last remaining heap block (partly cleared) and loses the pages after
 * it; a fork already shorter is left alone, so the result is applied as {@code min(current, x)}.
 * Stateless.
 */
final class ForkTruncation {
    /** Heap blocks per FSM leaf page: {@code LeafNodesPerPage} = (8192 - 24 - 4) - (8192 / 2 - 1). */
    static final long FSM_SLOTS_PER_PAGE = (8192 - 24 - 4) - (8192 / 2 - 1);
    /** FSM tree depth for that fan-out ({@code FSM_TREE_DEPTH}). */
    static final int FSM_TREE_DEPTH = 3;
    /** Heap blocks per visibility-map page: (8192 - 24) bytes × 4 heap blocks per byte. */
    static final long VM_HEAP_BLOCKS_PER_PAGE = (8192 - 24) * 4L;

    private ForkTruncation() {
    }

    /** FSM blocks kept when the heap becomes {@code heapBlocks} long. */
    static long fsmBlocks(long heapBlocks) {
        long leafPage = heapBlocks / FSM_SLOTS_PER_PAGE;
        long slot = heapBlocks % FSM_SLOTS_PER_PAGE;
        long physical = fsmLeafToPhysical(leafPage);
        return slot > 0 ? physical + 1 : physical;
    }

    /**
     * {@code fsm_logical_to_physical} for a bottom-level page: the leaf's block number counting
     * the upper-level pages stored before it.
     */
    static long fsmLeafToPhysical(long leafPage) {
        long leafno = leafPage;
        long pages = 0;
        for (int l = 0; l < FSM_TREE_DEPTH; l++) {
            pages += leafno + 1;
            leafno /= FSM_SLOTS_PER_PAGE;
        }
        return pages - 1;
    }

    /** VM blocks kept when the heap becomes {@code heapBlocks} long. */
    static long vmBlocks(long heapBlocks) {
        long block = heapBlocks / VM_HEAP_BLOCKS_PER_PAGE;
        return heapBlocks % VM_HEAP_BLOCKS_PER_PAGE != 0 ? block + 1 : block;
    }
}
