/**
 * Pages on the wire and in the stores' keys: {@link io.storageengine.schemas.page.PageRef} (17
 * bytes), {@link io.storageengine.schemas.page.PageKey} (49), {@link io.storageengine.schemas.page.VersionKey}
 * (57), and the validation of page record payloads ({@link io.storageengine.schemas.page.PageRecords},
 * {@link io.storageengine.schemas.page.PgRecordFormat}). What a page version means and how it
 * applies lives in page-core. Immutable values and stateless helpers.
 */
package io.storageengine.schemas.page;
