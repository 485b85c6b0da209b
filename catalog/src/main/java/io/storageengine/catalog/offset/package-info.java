/** Committed Kafka offsets: where a consumer group resumes in each partition. */
package io.storageengine.catalog.offset;
