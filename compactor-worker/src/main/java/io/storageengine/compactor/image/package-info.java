/** IMAGE segments: every page of a (partition, timeline) materialized at an offset cut. */
package io.storageengine.compactor.image;
