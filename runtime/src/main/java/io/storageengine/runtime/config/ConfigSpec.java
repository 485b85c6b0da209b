package io.storageengine.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a service's configuration comes from: the class-path resource (normally
 * {@code application.yaml}) and the aliases, older environment variable names kept working beside
 * the rule's names ({@link #envName}). Immutable: {@link #alias} returns a new spec.
 *
 * @param resource class-path resource holding the YAML
 * @param aliases  key → its aliases, in precedence order
 */
public record ConfigSpec(String resource, Map<String, List<Alias>> aliases) {

    /**
     * An older variable name for a key. {@code value} turns the variable's text into the key's
     * (identity for a plain rename; ingest's {@code SE_KAFKA_PORT} becomes a bootstrap address).
     */
    public record Alias(String variable, UnaryOperator<String> value) {
        public Alias {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(value, "value");
        }
    }

    public ConfigSpec {
        Objects.requireNonNull(resource, "resource");
        Map<String, List<Alias>> copy = new LinkedHashMap<>();
        aliases.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        aliases = Map.copyOf(copy);
    }

    /** A spec reading {@code resource} with no aliases. */
    public static ConfigSpec of(String resource) {
        return new ConfigSpec(resource, Map.of());
    }

    /** The override rule: {@code section.some-key} → {@code SE_SECTION_SOME_KEY}. */
    public static String envName(String key) {
        return "SE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** This spec with {@code variable} as a further alias of {@code key}. */
    public ConfigSpec alias(String key, String variable) {
        return alias(key, variable, UnaryOperator.identity());
    }

    /** This spec with {@code variable} as a further alias of {@code key}, its text mapped by {@code value}. */
    public ConfigSpec alias(String key, String variable, UnaryOperator<String> value) {
        if (envName(key).equals(variable)) {
            throw new IllegalArgumentException(variable + " is already the rule's name for " + key);
        }
        Map<String, List<Alias>> m = new LinkedHashMap<>(aliases);
        List<Alias> list = new ArrayList<>(m.getOrDefault(key, List.of()));
        list.add(new Alias(variable, value));
        m.put(key, list);
        return new ConfigSpec(resource, m);
    }

    /** Every variable that may set {@code key}, in precedence order: the rule's name, then the aliases. */
    public List<String> variables(String key) {
        List<String> out = new ArrayList<>();
        out.add(envName(key));
        aliases.getOrDefault(key, List.of()).forEach(a -> out.add(a.variable()));
        return out;
    }
}
