package io.storageengine.runtime.failpoint;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failpoints of one process (see the package documentation): made once in {@code main}
 * ({@link #fromEnvironment}) and passed to whatever has points, like the metrics registry. Points
 * are created on first mention, by the code ({@link #point}) or by configuration ({@link #set},
 * {@link #configure}), so a point may be configured before the code that owns it asks for it.
 * Each point's acting hits are exported as the counter {@code se.failpoint.hits{name}}
 * ({@code se_failpoint_hits_total}). Thread-safe.
 *
 * <p>Configuration text: {@code name=action} entries separated by {@code ;} or new lines, e.g.
 * {@code segment-read=sleep(200);segment-write=3*error(No space left on device)}; names are
 * lower-case letters, digits, {@code .}, {@code _} and {@code -}. A text is parsed whole before
 * anything is applied: one bad entry changes nothing.
 */
public final class Failpoints {
    /** The variable read at start by {@link #fromEnvironment}. */
    public static final String ENV = "SE_FAILPOINTS";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Logger LOG = LoggerFactory.getLogger(Failpoints.class);

    private final ConcurrentMap<String, Failpoint> points = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    /**
     * No point configured.
     *
     * @param registry where {@code se.failpoint.hits} is registered; null for none (tests)
     */
    public Failpoints(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Failpoints without metrics, all off (tests, tools). */
    public static Failpoints none() {
        return new Failpoints(null);
    }

    /**
     * The process's failpoints, configured from {@code SE_FAILPOINTS} in {@code env} if set.
     *
     * @throws IllegalArgumentException if the variable does not parse (the message names it)
     */
    public static Failpoints fromEnvironment(Map<String, String> env, MeterRegistry registry) {
        Failpoints f = new Failpoints(registry);
        String spec = env.get(ENV);
        if (spec != null && !spec.isBlank()) {
            try {
                f.configure(spec);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV + ": " + e.getMessage(), e);
            }
        }
        return f;
    }

    /**
     * The point {@code name}, created (off) if nobody mentioned it yet. Code calls this once at
     * wiring time and keeps the result for its hot path.
     */
    public Failpoint point(String name) {
        Failpoint p = get(name);
        p.markRegistered();
        return p;
    }

    private Failpoint get(String name) {
        checkName(name);
        Failpoint p = points.get(name);
        if (p != null) {
            return p;
        }
        return points.computeIfAbsent(name, n -> {
            Failpoint created = new Failpoint(n);
            if (registry != null) {
                FunctionCounter.builder("se.failpoint.hits", created, Failpoint::hits).tag("name", n)
                        .description("hits of a failpoint that acted (slept or threw); failpoints are for drills and tests")
                        .register(registry);
            }
            return created;
        });
    }

    /** Sets one point's action from its text form; returns the action in force before. */
    public FailpointAction set(String name, String action) {
        return set(name, FailpointAction.parse(action));
    }

    /** Sets one point's action; returns the action in force before. */
    public FailpointAction set(String name, FailpointAction action) {
        FailpointAction before = get(name).set(action);
        if (!before.equals(action)) {
            LOG.warn("failpoint {} set to {} (was {}){}", name, action, before,
                    action.isOff() ? "" : ": a fault is injected on purpose (drills and tests only)");
        }
        return before;
    }

    /**
     * Applies a configuration text ({@code name=action} entries, see the class comment), all
     * entries or none.
     *
     * @return the entries applied, in order
     * @throws IllegalArgumentException if any entry does not parse
     */
    public Map<String, FailpointAction> configure(String text) {
        Map<String, FailpointAction> parsed = parse(text);
        parsed.forEach(this::set);
        return parsed;
    }

    /** Parses a configuration text without applying it. */
    public static Map<String, FailpointAction> parse(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, FailpointAction> out = new LinkedHashMap<>();
        for (String entry : text.split("[;\\n]")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("failpoint entry '" + e + "' is not name=action");
            }
            String name = e.substring(0, eq).strip();
            checkName(name);
            out.put(name, FailpointAction.parse(e.substring(eq + 1)));
        }
        return out;
    }

    /** Every point known (asked for by code or configured), by name. */
    public Map<String, Failpoint> points() {
        return new TreeMap<>(points);
    }

    /** The points whose action is not off, as {@code name=action} (for logs and health details). */
    public List<String> active() {
        List<String> out = new ArrayList<>();
        points().forEach((n, p) -> {
            if (!p.action().isOff()) {
                out.add(p.toString());
            }
        });
        return out;
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid failpoint name '" + name
                    + "' (lower-case letters, digits, '.', '_', '-'; up to 64)");
        }
    }
}
