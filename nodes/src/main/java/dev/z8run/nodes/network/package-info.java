/**
 * Network nodes: {@code http-in} and {@code http-out} (the server side, through the host-installed
 * {@link dev.z8run.core.node.Replies} service), {@code webhook} (signed deliveries), and {@code
 * http-request} (blocking, on virtual threads) with the server's {@link
 * dev.z8run.nodes.support.OutboundPolicy} and a bounded response body ({@link
 * dev.z8run.nodes.network.LimitedBody}).
 *
 * <p>Must not open a server socket or know the HTTP server in use (the api module owns that), and
 * must not depend on another node family.
 */
package dev.z8run.nodes.network;
