/**
 * Micrometer metrics of the page service, exposed in Prometheus text format on the admin port.
 * One registry per process, created in {@code Main} and shared by the HTTP layer and the streams side.
 */
package io.storageengine.pageservice.metrics;
