/** Implementation details of compactor-worker (cancellation); not an API. */
package io.storageengine.compactor.internal;
