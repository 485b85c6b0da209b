/**
 * The page service's composition root: {@link io.storageengine.pageservice.Main} loads the
 * configuration, builds the cold tier ({@code cold}), starts the Kafka Streams application
 * ({@code streams}, whose topology in {@code topology} materializes page versions into the hot store
 * of {@code hotstore} and trims it through {@code topology.trim}), composes the read path
 * ({@link io.storageengine.pageservice.ReadPath}: {@code read} over the hot stores, then the cold
 * tier), follows relation sizes ({@code relations}), and serves both over HTTP ({@code http},
 * routed by {@code ownership}) with metrics ({@code metrics}) on the admin socket. Only this package sees every other one; the package graph
 * has no cycle (see the module README and {@code PackageGraphTest}).
 */
package io.storageengine.pageservice;
