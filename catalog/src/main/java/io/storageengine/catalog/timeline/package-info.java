/** Timelines as the catalog knows them: GC horizons and last applied LSNs. */
package io.storageengine.catalog.timeline;
