/**
 * The {@code /hook} routes: HTTP requests become executions of a deployed flow's {@code http-in}
 * node and wait for its {@code http-out} node; {@link dev.z8run.api.hook.WebhookSignature} checks
 * webhook deliveries' HMAC-SHA256 signatures over the raw body. Talks to the engine only through
 * {@link dev.z8run.core.runtime.Engine}'s command interface and the {@link
 * dev.z8run.core.node.Replies} service it installs.
 */
package dev.z8run.api.hook;
