/**
 * Implementation detail of the segment file format: hashing, the key filter, the block index.
 * Not an API: other modules must not use it.
 */
package io.storageengine.segments.internal;
