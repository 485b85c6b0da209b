package io.storageengine.schemas.relation;

import java.util.Objects;

/**
 * The state of one relation fork right after a WAL record: whether it exists and its number of
 * blocks (PostgreSQL's {@code smgrnblocks}; 0 when it does not exist). A producer emits one per
 * fork a record changes, at the record's end LSN. Immutable.
 *
 * @param nblocks unsigned 32-bit block count, 0..2^32-1
 */
public record RelationSize(RelFork fork, long nblocks, boolean exists) {
    public static final long MAX_BLOCKS = 0xFFFF_FFFFL;

    public RelationSize {
        Objects.requireNonNull(fork, "fork");
        if (nblocks < 0 || nblocks > MAX_BLOCKS) {
            throw new IllegalArgumentException("nblocks " + nblocks + " out of range 0.." + MAX_BLOCKS);
        }
        if (!exists && nblocks != 0) {
            throw new IllegalArgumentException("a fork that does not exist has 0 blocks, got " + nblocks);
        }
    }

    public static RelationSize of(RelFork fork, long nblocks) {
        return new RelationSize(fork, nblocks, true);
    }

    public static RelationSize dropped(RelFork fork) {
        return new RelationSize(fork, 0, false);
    }
}
