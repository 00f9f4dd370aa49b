/**
 * The {@code /hook} routes: HTTP requests become executions of a deployed flow's {@code http-in}
 * node and wait for its {@code http-out} node; deliveries to a {@code webhook} node are checked by
 * {@link dev.z8run.api.hook.WebhookGate} ({@link dev.z8run.api.hook.WebhookSignature}: HMAC-SHA256
 * over the raw body) and answered at once. Every answer is sandboxed ({@link
 * dev.z8run.api.hook.HookSandbox}): the routes share the editor's origin. Talks to the engine only
 * through {@link dev.z8run.core.runtime.Engine}'s command interface and the {@link
 * dev.z8run.core.node.Replies} service it installs.
 */
package dev.z8run.api.hook;
