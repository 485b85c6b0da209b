/**
 * walgen: deterministic synthetic WAL streams ({@link io.storageengine.ingest.walgen.WalGen}) for the
 * CLI, tests and benchmarks of every module, with optional injected corruption whose every byte is
 * labelled ({@link io.storageengine.ingest.walgen.WalGen.Item}) so tests can build exact reference models.
 */
package io.storageengine.ingest.walgen;
