package io.storageengine.testsupport;

import java.util.List;

/**
 * Turns down the log level of the in-JVM broker's server-side loggers so that integration-test
 * output shows the code under test, not thousands of broker INFO lines. Client loggers
 * ({@code org.apache.kafka.clients}, {@code org.apache.kafka.streams}) are left alone.
 *
 * <p>Works only when log4j-core is the SLF4J backend (it is, through this module's dependencies);
 * otherwise does nothing. Called once, from the broker's start; stateless.
 */
final class TestLogLevels {

    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "state.change.logger", "org.apache.zookeeper",
            "org.apache.kafka.controller", "org.apache.kafka.raft", "org.apache.kafka.storage",
            "org.apache.kafka.server", "org.apache.kafka.metadata", "org.apache.kafka.image",
            "org.apache.kafka.coordinator", "org.apache.kafka.snapshot", "org.apache.kafka.queue",
            "org.apache.kafka.common.test", "org.apache.kafka.network", "org.apache.kafka.security",
            "org.apache.kafka.common.network", "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics", "org.apache.kafka.common.config.AbstractConfig");

    private TestLogLevels() {
    }

    static void quietKafkaBroker(String level) {
        try {
            org.apache.logging.log4j.Level l = org.apache.logging.log4j.Level.toLevel(level,
                    org.apache.logging.log4j.Level.WARN);
            for (String name : BROKER_LOGGERS) {
                org.apache.logging.log4j.core.config.Configurator.setLevel(name, l);
            }
        } catch (LinkageError | RuntimeException e) {
            // another logging backend: leave its configuration alone
        }
    }
}
