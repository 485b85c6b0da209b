/**
 * Signed tenant tokens of the page API (JWT, as Neon's pageserver uses them): {@link
 * io.storageengine.pageservice.auth.TokenVerifier} checks a token's signature against the
 * deployment's public keys (Ed25519 or RSA, PEM) and its time claims, and returns its
 * {@link io.storageengine.pageservice.auth.TokenClaims} (scope {@code tenant} with a
 * {@code tenant_id}, or {@code pageserverapi} for every tenant). {@link
 * io.storageengine.pageservice.auth.TokenTool} generates a key pair and issues tokens (for
 * {@code ./se up --auth} and {@code ./se token}). No class here logs or prints a token except the
 * tool, whose output is the token.
 */
package io.storageengine.pageservice.auth;
