/**
 * Process-wide logging set-up shared by the services: {@link io.storageengine.runtime.logging.JulToSlf4j}
 * sends java.util.logging (Helidon's) into SLF4J so every line of a process has one layout.
 */
package io.storageengine.runtime.logging;
