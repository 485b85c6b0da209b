/**
 * Implementation details of the test support library: finding the local PostgreSQL binaries and
 * the OS user to run them as ({@code PgInstall}), running external commands with a timeout and
 * output to a file ({@code Exec}), and cleaning up clusters left by killed test JVMs
 * ({@code StalePostgres}). Not an API: tests use {@code LocalPostgres} and the other public
 * classes of {@code io.storageengine.testsupport}. Stateless and thread-safe.
 */
package io.storageengine.testsupport.internal;
