package io.storageengine.runtime.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Loads a service's configuration: reads {@link ConfigSpec#resource()} (YAML) from the class path,
 * runs the service's {@code binder} over a {@link ConfigReader} (environment first, then YAML; see
 * the package description for the override rule), and refuses YAML keys the binder never read
 * (typos would otherwise be silently ignored). An {@link IllegalArgumentException} thrown by a
 * record's validation becomes a {@link ConfigException} prefixed with the resource name. Stateless.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Loads with the process environment. */
    public static <T> T load(ConfigSpec spec, Function<ConfigReader, T> binder) {
        return load(spec, System.getenv(), binder);
    }

    /** Loads with {@code env} as the environment (tests pass a map). */
    public static <T> T load(ConfigSpec spec, Map<String, String> env, Function<ConfigReader, T> binder) {
        ConfigReader reader = new ConfigReader(spec, readYaml(spec.resource()), env);
        T value;
        try {
            value = binder.apply(reader);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(spec.resource() + ": " + e.getMessage(), e);
        }
        List<String> unread = reader.unreadKeys();
        if (!unread.isEmpty()) {
            throw new ConfigException(spec.resource() + ": unknown key" + (unread.size() > 1 ? "s " : " ")
                    + String.join(", ", unread));
        }
        return value;
    }

    private static JsonNode readYaml(String resource) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = ConfigLoader.class.getClassLoader();
        }
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException(resource + " is not on the class path");
            }
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
            if (root == null || root.isMissingNode() || root.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!root.isObject()) {
                throw new ConfigException(resource + ": the top level must be a map of keys");
            }
            return root;
        } catch (JacksonException e) {
            throw new ConfigException(resource + ": malformed YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}
