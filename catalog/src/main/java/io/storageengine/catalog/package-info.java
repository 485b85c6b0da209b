/**
 * The PostgreSQL catalog of the cold tier. {@link io.storageengine.catalog.Catalog} opens it
 * (connections, then migrations) and hands out one repository per concern, each in its own
 * subpackage with its value types:
 *
 * <ul>
 *   <li>{@code migration}: the schema ({@code src/main/resources/db/migration}) and how it is applied;</li>
 *   <li>{@code segmentmap}: which segments exist and are ACTIVE, RETIRED or DELETED, and the change counter readers poll;</li>
 *   <li>{@code lease}: which worker owns each partition's compaction, with epochs for fencing;</li>
 *   <li>{@code offset}: committed Kafka offsets;</li>
 *   <li>{@code timeline}: timelines' GC horizons and last applied LSNs;</li>
 *   <li>{@code job}: compaction history;</li>
 *   <li>{@code segmentfile}: segment bytes stored in the database (for the catalog segment store);</li>
 *   <li>{@code connection}: the connection manager (primary and replica pools, breakers, retries,
 *       failover, health), the only place a connection is made;</li>
 *   <li>{@code internal}: the SQL; not an API.</li>
 * </ul>
 *
 * <p>This package holds the facade, the configuration and the exceptions every repository throws. Every
 * write is one transaction, idempotent, and (for workers) checked against the writer's lease epoch.
 */
package io.storageengine.catalog;
