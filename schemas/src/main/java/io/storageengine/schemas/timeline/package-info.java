/** Tenant and timeline ids (128-bit) and the 32-byte timeline key. Immutable values. */
package io.storageengine.schemas.timeline;
