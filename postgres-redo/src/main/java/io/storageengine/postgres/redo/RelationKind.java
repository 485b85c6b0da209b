package io.storageengine.postgres.redo;

import java.util.Locale;

/**
 * What kind of page a block of a relation fork holds, which decides how {@link PageMasking}
 * masks it: heap (tables, TOAST, materialized views), an index access method, the visibility
 * map, or a kind whose pages are not compared ({@link #OTHER}: sequences, whose page PostgreSQL
 * changes without WAL for values logged ahead; the free-space map, maintained without WAL;
 * index access methods the engine does not know). Immutable.
 */
public enum RelationKind {
    HEAP, BTREE, HASH, GIN, GIST, BRIN, SPGIST, VM, OTHER;

    /**
     * The kind of a relation's main fork from {@code pg_class.relkind} and the access method name
     * ({@code pg_am.amname}, empty or null for none).
     */
    public static RelationKind of(String relkind, String accessMethod) {
        String am = accessMethod == null ? "" : accessMethod.toLowerCase(Locale.ROOT);
        return switch (relkind) {
            case "r", "t", "m" -> HEAP;
            case "i" -> switch (am) {
                case "btree" -> BTREE;
                case "hash" -> HASH;
                case "gin" -> GIN;
                case "gist" -> GIST;
                case "brin" -> BRIN;
                case "spgist" -> SPGIST;
                default -> OTHER;
            };
            default -> OTHER;
        };
    }

    /** Parses a name as {@link #name()} prints it, any case ({@code heap}, {@code btree}, {@code vm}...). */
    public static RelationKind parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown relation kind '" + name + "' (heap, btree, hash, gin, gist, "
                    + "brin, spgist, vm, other)", e);
        }
    }
}
