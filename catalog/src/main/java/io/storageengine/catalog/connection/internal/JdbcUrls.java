package io.storageengine.catalog.connection.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PgJDBC URL surgery for failover. The primary pool connects through a multi-host URL listing the
 * configured primary's hosts and then every replica's ({@code jdbc:postgresql://p:5432,r1:5432/db}),
 * with {@code targetServerType=primary} (PgJDBC connects to the first host that accepts writes)
 * and {@code hostRecheckSeconds=2} (how long PgJDBC trusts its memory of a host's role), unless the
 * URL already sets them. So when a replica is promoted, new primary connections find it. Stateless.
 */
public final class JdbcUrls {
    private static final Pattern URL = Pattern.compile("^jdbc:postgresql://([^/?]*)(/[^?]*)?(\\?.*)?$");

    private JdbcUrls() {
    }

    /** The host:port list of {@code url}. */
    public static List<String> hosts(String url) {
        Matcher m = matcher(url);
        List<String> out = new ArrayList<>();
        for (String h : m.group(1).split(",")) {
            if (!h.isBlank()) {
                out.add(h.contains(":") ? h.trim() : h.trim() + ":5432");
            }
        }
        return out;
    }

    /** The primary pool's URL: the primary's hosts, then the replicas', with the failover parameters. */
    public static String primaryUrl(String primary, List<String> replicas) {
        Matcher m = matcher(primary);
        Set<String> hosts = new LinkedHashSet<>(hosts(primary));
        for (String r : replicas) {
            hosts.addAll(hosts(r));
        }
        String db = m.group(2) == null ? "/" : m.group(2);
        String query = m.group(3) == null ? "" : m.group(3);
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(String.join(",", hosts)).append(db).append(query);
        if (!query.contains("targetServerType=")) {
            url.append(url.indexOf("?") < 0 ? '?' : '&').append("targetServerType=primary");
        }
        if (!query.contains("hostRecheckSeconds=")) {
            url.append('&').append("hostRecheckSeconds=2");
        }
        return url.toString();
    }

    private static Matcher matcher(String url) {
        Matcher m = URL.matcher(url.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + url);
        }
        return m;
    }
}
