/**
 * Typed configuration of the page service ({@link io.storageengine.pageservice.config.PageServiceConfig}),
 * loaded once at start from {@code application.yaml} plus environment overrides and immutable after.
 */
package io.storageengine.pageservice.config;
