/**
 * Implementation details of the page client: one pipelined stream with its table of pending
 * requests ({@link io.storageengine.pageclient.internal.PageStreamConnection}) and the metrics.
 */
package io.storageengine.pageclient.internal;
