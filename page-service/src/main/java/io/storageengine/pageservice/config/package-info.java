/**
 * Typed configuration of the page service ({@link io.storageengine.pageservice.config.PageServiceConfig}),
 * loaded once at start from {@code application.yaml} plus environment overrides (the runtime
 * library's loader and rule, {@code io.storageengine.runtime.config}) and immutable after.
 */
package io.storageengine.pageservice.config;
