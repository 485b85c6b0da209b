/** Implementation details of compactor-worker (cancellation, CPU pacing, retry backoff, the segment-write failure type); not an API. */
package io.storageengine.compactor.internal;
