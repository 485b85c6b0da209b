/** Segment file bytes kept in the catalog database, in checksummed chunks (the catalog segment store's backend). */
package io.storageengine.catalog.segmentfile;
