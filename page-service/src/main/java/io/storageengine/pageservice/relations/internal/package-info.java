/** Storage details of the relation history: one fork's sizes by LSN in primitive arrays. */
package io.storageengine.pageservice.relations.internal;
