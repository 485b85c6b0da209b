/** Partition leases with epochs, the catalog's fencing of compactor workers. */
package io.storageengine.catalog.lease;
