package io.storageengine.catalog.connection;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What identifies a lag-tolerant read for query consolidation
 * ({@link ConnectionSource#readConsolidated}): its SQL text and its parameters. Two reads with equal
 * keys must run the same query and return the same kind of result, so that one may answer the other.
 * Parameters are values (numbers, strings, enums, {@code UUID}s...), compared with {@code equals};
 * no nulls. Immutable.
 *
 * @param sql    the query text (or any text naming it uniquely, e.g. the SQL a helper runs)
 * @param params its parameters, in order
 */
public record QueryKey(String sql, List<Object> params) {

    public QueryKey {
        Objects.requireNonNull(sql, "sql");
        params = List.copyOf(params);
        for (Object p : params) {
            if (p.getClass().isArray()) {
                throw new IllegalArgumentException("query key of '" + sql + "': parameter " + p.getClass().getSimpleName()
                        + " is an array (arrays compare by identity; pass a List)");
            }
        }
    }

    public static QueryKey of(String sql, Object... params) {
        return new QueryKey(sql, Arrays.asList(params));
    }
}
