/**
 * Shared integration-test fixtures: a real Kafka broker and a real PostgreSQL, one of each per test
 * JVM (Failsafe forks one JVM per module), started lazily on first use and stopped by a shutdown hook.
 *
 * <p>{@link io.storageengine.testsupport.KafkaTestBroker} runs a single-node KRaft broker in-JVM
 * (Kafka's {@code KafkaClusterTestKit}); {@link io.storageengine.testsupport.LocalPostgres} runs
 * PostgreSQL 15 from the machine's binaries in a throw-away data directory. Both can be pointed at an
 * external server through environment variables ({@code SE_TEST_KAFKA_BOOTSTRAP},
 * {@code SE_TEST_PG_URL}/{@code SE_TEST_PG_USER}/{@code SE_TEST_PG_PASSWORD}).
 *
 * <p>Only {@code *IT} tests use these; {@code *Test} classes need nothing external.
 */
package io.storageengine.testsupport;
