package io.storageengine.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed access to one loaded configuration: the YAML tree plus the environment, key by key. Each
 * read looks up the key's variables first ({@link ConfigSpec#variables}: the rule's name, then the
 * aliases; blank values ignored), then the YAML. Values that do not parse throw a
 * {@link ConfigException} naming the key and the value's source. Keys are dotted paths through
 * nested YAML maps ({@code cold.trim.enabled}).
 *
 * <p>Records which keys were read so {@link ConfigLoader} can refuse YAML keys nobody reads. Used by
 * one binder during one load; not thread-safe.
 */
public final class ConfigReader {
    private final ConfigSpec spec;
    private final JsonNode root;
    private final Map<String, String> env;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigReader(ConfigSpec spec, JsonNode root, Map<String, String> env) {
        this.spec = spec;
        this.root = root;
        this.env = Map.copyOf(env);
    }

    /** A value and where it came from (a variable's name or the resource). */
    private record Raw(String text, String source) {
    }

    /** The key's text; missing everywhere → {@link ConfigException}. */
    public String string(String key) {
        return raw(key).orElseThrow(() -> missing(key)).text();
    }

    /** The key's text if it is set in the environment or the YAML. */
    public Optional<String> optionalString(String key) {
        return raw(key).map(Raw::text);
    }

    public int integer(String key) {
        return parse(key, Integer::parseInt, "an integer");
    }

    public long longValue(String key) {
        return parse(key, Long::parseLong, "an integer");
    }

    /** {@code true}/{@code false} (also yes/no, on/off, 1/0). */
    public boolean bool(String key) {
        return parse(key, ConfigReader::parseBool, "true or false");
    }

    public Optional<Boolean> optionalBool(String key) {
        return raw(key).map(r -> convert(key, r, ConfigReader::parseBool, "true or false"));
    }

    /** A duration in the syntax of {@link Durations}. */
    public Duration duration(String key) {
        return parse(key, Durations::parse, null);
    }

    /** A byte size in the syntax of {@link ByteSizes}. */
    public long size(String key) {
        return parse(key, ByteSizes::parse, null);
    }

    /** A byte size that must fit an {@code int} (Kafka client settings). */
    public int intSize(String key) {
        return parse(key, t -> Math.toIntExact(ByteSizes.parse(t)), "a size below 2 GiB");
    }

    /**
     * A map-valued key: the YAML map (nested maps flattened with dots) with the environment's
     * {@code k=v,k=v} entries (commas or semicolons) put over it.
     */
    public Map<String, String> map(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode n = yaml(key);
        if (n != null && !n.isNull()) {
            if (!n.isObject()) {
                throw new ConfigException(key + ": expected a map in " + spec.resource());
            }
            flatten("", n, out, key);
        }
        envPairs(key).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * A list of pairs: from the YAML either a map ({@code k: v}) or a list of maps each holding
     * {@code keyField} and {@code valueField}, then the environment's {@code k=v,k=v} entries
     * appended. Duplicate keys are kept (one tenant, several tokens).
     */
    public List<Map.Entry<String, String>> pairs(String key, String keyField, String valueField) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        JsonNode n = yaml(key);
        if (n != null && n.isArray()) {
            int i = 0;
            for (JsonNode item : n) {
                JsonNode k = item.get(keyField);
                JsonNode v = item.get(valueField);
                if (!item.isObject() || k == null || v == null || !k.isValueNode() || !v.isValueNode()) {
                    throw new ConfigException(key + "[" + i + "]: expected {" + keyField + ": ..., " + valueField
                            + ": ...} in " + spec.resource());
                }
                out.add(new AbstractMap.SimpleImmutableEntry<>(k.asText(), v.asText()));
                i++;
            }
        } else if (n != null && n.isObject()) {
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", n, flat, key);
            flat.forEach((k, v) -> out.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
        } else if (n != null && !n.isNull()) {
            throw new ConfigException(key + ": expected a list or a map in " + spec.resource());
        }
        out.addAll(envPairs(key));
        return out;
    }

    /**
     * Converts {@code text} (a part of the key's value, such as a map entry) with {@code parser};
     * its {@link IllegalArgumentException} becomes a {@link ConfigException} naming {@code key}.
     */
    public <T> T convert(String key, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(key + ": " + e.getMessage(), e);
        }
    }

    /** YAML leaf paths that no read covered (a read of {@code a.b} covers {@code a.b.*}). */
    List<String> unreadKeys() {
        List<String> leaves = new ArrayList<>();
        leaves(root, "", leaves);
        return leaves.stream().filter(p -> read.stream().noneMatch(r -> p.equals(r) || p.startsWith(r + "."))).toList();
    }

    private <T> T parse(String key, Function<String, T> parser, String expected) {
        Raw r = raw(key).orElseThrow(() -> missing(key));
        return convert(key, r, parser, expected);
    }

    private <T> T convert(String key, Raw r, Function<String, T> parser, String expected) {
        try {
            return parser.apply(r.text().trim());
        } catch (IllegalArgumentException | ArithmeticException e) {
            String what = expected != null ? "expected " + expected + ", got '" + r.text() + "'" : e.getMessage();
            throw new ConfigException(key + ": " + what + " (from " + r.source() + ")", e);
        }
    }

    private Optional<Raw> raw(String key) {
        read.add(key);
        for (String var : spec.variables(key)) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                return Optional.of(new Raw(transform(key, var, v.trim()), var));
            }
        }
        JsonNode n = yaml(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isValueNode()) {
            throw new ConfigException(key + ": expected a single value in " + spec.resource() + ", found "
                    + (n.isArray() ? "a list" : "a map"));
        }
        return Optional.of(new Raw(n.asText(), spec.resource()));
    }

    private String transform(String key, String var, String text) {
        for (ConfigSpec.Alias a : spec.aliases().getOrDefault(key, List.of())) {
            if (a.variable().equals(var)) {
                return a.value().apply(text);
            }
        }
        return text;
    }

    private JsonNode yaml(String key) {
        read.add(key);
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(part);
        }
        return n;
    }

    private List<Map.Entry<String, String>> envPairs(String key) {
        for (String var : spec.variables(key)) {
            String text = env.get(var);
            if (text != null && !text.isBlank()) {
                List<Map.Entry<String, String>> out = new ArrayList<>();
                for (String part : transform(key, var, text).split("[,;]")) {
                    if (part.isBlank()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    if (eq <= 0) {
                        throw new ConfigException(key + ": expected key=value pairs separated by commas, got '"
                                + part.trim() + "' (from " + var + ")");
                    }
                    out.add(new AbstractMap.SimpleImmutableEntry<>(part.substring(0, eq).trim(), part.substring(eq + 1).trim()));
                }
                return out;
            }
        }
        return List.of();
    }

    private void flatten(String prefix, JsonNode n, Map<String, String> out, String key) {
        n.properties().forEach(e -> {
            String k = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(k, v, out, key);
            } else if (v.isValueNode()) {
                out.put(k, v.asText());
            } else {
                throw new ConfigException(key + "." + k + ": expected a single value in " + spec.resource());
            }
        });
    }

    private static void leaves(JsonNode n, String path, List<String> out) {
        if (n.isObject() && !n.isEmpty()) {
            n.properties().forEach(e -> leaves(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out));
        } else if (!path.isEmpty()) {
            out.add(path);
        }
    }

    private ConfigException missing(String key) {
        return new ConfigException(key + ": missing; set it in " + spec.resource() + " or with " + spec.variables(key).getFirst());
    }

    private static boolean parseBool(String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + v);
        };
    }
}
