/**
 * Implementation detail of the segments module: hashing, the key filter, the block index,
 * the footer codec, SQL retry policy and migrations. Not an API: other modules must not use it.
 */
package io.storageengine.segments.internal;
