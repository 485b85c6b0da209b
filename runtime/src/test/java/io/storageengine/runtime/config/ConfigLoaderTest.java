package io.storageengine.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final ConfigSpec SPEC = ConfigSpec.of("config-test.yaml")
            .alias("http.admin-port", "SE_ADMIN_PORT")
            .alias("http.host", "SE_OLD_HOST")
            .alias("http.host", "SE_OLDER_HOST")
            .alias("http.port", "SE_PORT_NUMBER", p -> Integer.toString(Integer.parseInt(p) + 1));

    /** Reads every key of the fixture (so none is refused as unknown) and returns what the test asks. */
    static <T> T load(Map<String, String> env, java.util.function.Function<ConfigReader, T> f) {
        return ConfigLoader.load(SPEC, env, c -> {
            T t = f.apply(c);
            List.of("http.port", "http.admin-port", "http.host", "read.deadline", "read.enabled", "memory.budget",
                    "memory.small", "empty", "nothing").forEach(c::optionalString);
            c.map("props");
            c.pairs("tokens", "tenant", "token");
            return t;
        });
    }

    @Test
    void theRuleNamesEveryKey() {
        assertThat(ConfigSpec.envName("http.port")).isEqualTo("SE_HTTP_PORT");
        assertThat(ConfigSpec.envName("cold.trim.settle-delay")).isEqualTo("SE_COLD_TRIM_SETTLE_DELAY");
        assertThat(ConfigSpec.envName("compactor.l0.max-age")).isEqualTo("SE_COMPACTOR_L0_MAX_AGE");
        assertThat(SPEC.variables("http.host")).containsExactly("SE_HTTP_HOST", "SE_OLD_HOST", "SE_OLDER_HOST");
        assertThatThrownBy(() -> SPEC.alias("http.port", "SE_HTTP_PORT")).hasMessageContaining("already");
    }

    @Test
    void valuesComeFromTheYamlTyped() {
        load(Map.of(), c -> {
            assertThat(c.integer("http.port")).isEqualTo(8080);
            assertThat(c.string("http.host")).isEqualTo("0.0.0.0");
            assertThat(c.duration("read.deadline")).isEqualTo(Duration.ofMillis(100));
            assertThat(c.bool("read.enabled")).isTrue();
            assertThat(c.size("memory.budget")).isEqualTo(256L << 20);
            assertThat(c.intSize("memory.small")).isEqualTo(64 << 10);
            assertThat(c.longValue("http.admin-port")).isEqualTo(9090L);
            assertThat(c.string("empty")).isEmpty();
            assertThat(c.optionalString("nothing")).isEmpty();
            assertThat(c.optionalString("not.there")).isEmpty();
            assertThat(c.optionalBool("not.there")).isEmpty();
            assertThat(c.map("props")).containsExactly(Map.entry("a", "1"), Map.entry("nested.b", "2"));
            assertThat(c.pairs("tokens", "tenant", "token"))
                    .containsExactly(Map.entry("t1", "secret1"), Map.entry("t2", "secret2"));
            return null;
        });
    }

    @Test
    void theRulesVariableWinsOverAliasesAndAliasesOverTheYaml() {
        load(Map.of("SE_HTTP_HOST", "rule", "SE_OLD_HOST", "old", "SE_OLDER_HOST", "older"),
                c -> assertThat(c.string("http.host")).isEqualTo("rule"));
        load(Map.of("SE_OLD_HOST", "old", "SE_OLDER_HOST", "older"), c -> assertThat(c.string("http.host")).isEqualTo("old"));
        load(Map.of("SE_OLDER_HOST", " older "), c -> assertThat(c.string("http.host")).isEqualTo("older"));
        load(Map.of("SE_HTTP_HOST", "  "), c -> assertThat(c.string("http.host")).isEqualTo("0.0.0.0"));
        load(Map.of("SE_ADMIN_PORT", "19090"), c -> assertThat(c.integer("http.admin-port")).isEqualTo(19090));
        load(Map.of("SE_PORT_NUMBER", "100"), c -> assertThat(c.integer("http.port")).isEqualTo(101));
        load(Map.of("SE_NOT_THERE", "x", "SE_READ_ENABLED", "off"), c -> {
            assertThat(c.optionalString("not.there")).contains("x"); // a key missing from the YAML can still be set
            assertThat(c.bool("read.enabled")).isFalse();
            return null;
        });
    }

    @Test
    void mapsAndPairsMergeTheEnvironmentOverTheYaml() {
        load(Map.of("SE_PROPS", "a=9; c=3", "SE_TOKENS", "t1=secret3,t3=secret4"), c -> {
            assertThat(c.map("props")).containsExactly(Map.entry("a", "9"), Map.entry("nested.b", "2"), Map.entry("c", "3"));
            assertThat(c.pairs("tokens", "tenant", "token")).containsExactly(Map.entry("t1", "secret1"),
                    Map.entry("t2", "secret2"), Map.entry("t1", "secret3"), Map.entry("t3", "secret4"));
            return null;
        });
        assertThatThrownBy(() -> load(Map.of("SE_PROPS", "a"), c -> c.map("props")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("props").hasMessageContaining("SE_PROPS");
    }

    @Test
    void badValuesNameTheKeyAndTheirSource() {
        assertThatThrownBy(() -> load(Map.of("SE_HTTP_PORT", "eighty"), c -> c.integer("http.port")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.port: expected an integer, got 'eighty' (from SE_HTTP_PORT)");
        assertThatThrownBy(() -> load(Map.of("SE_ADMIN_PORT", "x"), c -> c.integer("http.admin-port")))
                .hasMessageContaining("http.admin-port").hasMessageContaining("SE_ADMIN_PORT");
        assertThatThrownBy(() -> load(Map.of(), c -> c.integer("http.host")))
                .hasMessage("http.host: expected an integer, got '0.0.0.0' (from config-test.yaml)");
        assertThatThrownBy(() -> load(Map.of("SE_READ_DEADLINE", "soon"), c -> c.duration("read.deadline")))
                .hasMessageContaining("read.deadline: malformed duration 'soon'").hasMessageContaining("SE_READ_DEADLINE");
        assertThatThrownBy(() -> load(Map.of("SE_MEMORY_BUDGET", "lots"), c -> c.size("memory.budget")))
                .hasMessageContaining("memory.budget: malformed size 'lots'");
        assertThatThrownBy(() -> load(Map.of("SE_MEMORY_SMALL", "4GiB"), c -> c.intSize("memory.small")))
                .hasMessageContaining("memory.small");
        assertThatThrownBy(() -> load(Map.of("SE_READ_ENABLED", "maybe"), c -> c.bool("read.enabled")))
                .hasMessageContaining("read.enabled: expected true or false, got 'maybe'");
        assertThatThrownBy(() -> load(Map.of(), c -> c.string("not.there")))
                .hasMessage("not.there: missing; set it in config-test.yaml or with SE_NOT_THERE");
        assertThatThrownBy(() -> load(Map.of(), c -> c.string("props")))
                .hasMessageContaining("props: expected a single value");
        assertThatThrownBy(() -> load(Map.of(), c -> c.convert("props", "x", Integer::parseInt)))
                .hasMessageStartingWith("props: ");
    }

    @Test
    void recordValidationErrorsBecomeConfigErrors() {
        assertThatThrownBy(() -> load(Map.of(), c -> {
            throw new IllegalArgumentException("read.max-batch must be > 0");
        })).isInstanceOf(ConfigException.class).hasMessage("config-test.yaml: read.max-batch must be > 0");
    }

    @Test
    void yamlKeysNobodyReadsAreRefused() {
        ConfigSpec spec = ConfigSpec.of("config-unknown.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(spec, Map.of(), c -> c.integer("http.port")))
                .isInstanceOf(ConfigException.class).hasMessage("config-unknown.yaml: unknown key http.prot");
        int sum = ConfigLoader.load(spec, Map.of(), c -> c.integer("http.port") + c.integer("http.prot"));
        assertThat(sum).isEqualTo(16161);
    }

    @Test
    void aMissingResourceOrAListWhereAValueBelongsIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(ConfigSpec.of("no-such.yaml"), Map.of(), c -> 1))
                .hasMessage("no-such.yaml is not on the class path");
        assertThatThrownBy(() -> ConfigLoader.load(ConfigSpec.of("config-list.yaml"), Map.of(), c -> c.integer("http.port")))
                .hasMessageContaining("http.port: expected a single value in config-list.yaml, found a list");
    }
}
