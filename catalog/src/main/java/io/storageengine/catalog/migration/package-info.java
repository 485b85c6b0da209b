/** The catalog's schema migrations ({@code db/migration} on the classpath) and how they are applied. */
package io.storageengine.catalog.migration;
