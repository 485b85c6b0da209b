package io.storageengine.runtime.admin;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One answer of a health check. {@code live}: the process works (a dead worker thread makes it
 * false); {@code ready}: it should get traffic now. {@code details} are added to the JSON as they
 * are (for example the compactor's leased partitions); they cannot replace {@code status},
 * {@code live} or {@code ready}. Immutable.
 */
public record Health(boolean live, boolean ready, Map<String, Object> details) {

    /** A source of {@link Health}, asked at every request. Must be cheap and thread-safe. */
    @FunctionalInterface
    public interface Check {
        Health check();

        /**
         * This check with one more detail, asked at every request (e.g. {@code "catalog"}: the
         * catalog connection pools' health); a detail that throws is shown as its error message.
         */
        default Check withDetail(String key, Supplier<Object> detail) {
            return () -> {
                Health h = check();
                java.util.Map<String, Object> d = new java.util.LinkedHashMap<>(h.details());
                Object value;
                try {
                    value = detail.get();
                } catch (RuntimeException e) {
                    value = java.util.Map.of("error", String.valueOf(e.getMessage()));
                }
                if (value != null) {
                    d.put(key, value);
                }
                return new Health(h.live(), h.ready(), d);
            };
        }
    }

    public Health {
        details = Map.copyOf(details);
    }

    /** {@code "UP"} when live and ready, else {@code "DOWN"}. */
    public String status() {
        return live && ready ? "UP" : "DOWN";
    }

    /** Always live and ready (a process with nothing to wait for). */
    public static Check up() {
        return () -> new Health(true, true, Map.of());
    }

    /** Live while it answers; ready when {@code ready} says so. */
    public static Check readiness(BooleanSupplier ready) {
        return () -> new Health(true, ready.getAsBoolean(), Map.of());
    }

    /** Live and ready together when {@code healthy} says so, with {@code details} added. */
    public static Check of(BooleanSupplier healthy, Supplier<Map<String, Object>> details) {
        return () -> {
            boolean ok = healthy.getAsBoolean();
            return new Health(ok, ok, details.get());
        };
    }
}
