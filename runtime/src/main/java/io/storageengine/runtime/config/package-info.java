/**
 * Configuration loading, the same for every service.
 *
 * <p>{@link io.storageengine.runtime.config.ConfigLoader#load} reads the service's
 * {@code application.yaml} from the class path, hands a
 * {@link io.storageengine.runtime.config.ConfigReader} to the service's binder (code in the
 * service's module that builds its immutable config records key by key), and refuses YAML keys the
 * binder never read. Every value read is looked up first in the environment:
 *
 * <p><b>The override rule.</b> The key {@code section.some-key} is overridden by the variable
 * {@code SE_SECTION_SOME_KEY}: {@code SE_}, then the key in upper case with every {@code .} and
 * {@code -} replaced by {@code _} ({@link io.storageengine.runtime.config.ConfigSpec#envName}). A
 * key may also have aliases, older names kept working
 * ({@link io.storageengine.runtime.config.ConfigSpec#alias}); the rule's name wins over an alias,
 * and an earlier alias over a later one. Blank values are ignored. Map-valued keys take
 * {@code k=v,k=v} from the environment, merged over the YAML entries.
 *
 * <p>Durations ({@link io.storageengine.runtime.config.Durations}) and byte sizes
 * ({@link io.storageengine.runtime.config.ByteSizes}) have one syntax in every service. Errors are
 * {@link io.storageengine.runtime.config.ConfigException}s naming the key and where the bad value
 * came from (the YAML file or the variable). No state outlives a load.
 */
package io.storageengine.runtime.config;
