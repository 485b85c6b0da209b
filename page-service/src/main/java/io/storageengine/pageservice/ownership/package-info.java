/**
 * Who serves which page: {@link io.storageengine.pageservice.ownership.Ownership}, the one
 * ownership type shared by the streams side (which implements it from Kafka Streams metadata) and
 * the HTTP layer (which routes each page request by it: local read, forward, or 503). It depends on
 * nothing in the page service but the partition roles of {@code topology}, so neither side depends
 * on the other. Value types only; implementations document their thread-safety.
 */
package io.storageengine.pageservice.ownership;
