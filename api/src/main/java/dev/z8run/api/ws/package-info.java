/**
 * The editor socket {@code /ws/engine}: the binary protocol of docs/protocol.md over WebSocket.
 * {@link dev.z8run.api.ws.EngineSockets} owns the endpoint and its watchdog; one {@link
 * dev.z8run.api.ws.EngineSocket} per connection reads requests on Helidon's connection thread, and
 * its {@link dev.z8run.api.ws.EventPump} streams the engine's events to it on a virtual thread of
 * its own.
 */
package dev.z8run.api.ws;
