/** Rewrites of segments: k-way merge in bounded memory, L0 → L1, and the rolling output writer. */
package io.storageengine.compactor.merge;
