/**
 * z8run's own payload encodings, so that a client built from z8run's protocol crate ({@code
 * crates/z8run-protocol}, its {@code Z8Codec} unchanged) speaks to {@code /ws/engine}: the {@code
 * ProtocolMessage} enum as bincode 1.3 ({@link dev.z8run.api.ws.z8.Z8Bincode}) or, in the crate's
 * debug mode, as adjacently tagged JSON ({@link dev.z8run.api.ws.z8.Z8DebugJson}). {@link
 * dev.z8run.api.ws.z8.Z8Variant} is the enum, in the crate's order. This package only converts
 * bytes to {@link dev.z8run.api.ws.z8.Z8Message} and back; it knows nothing of sockets, users or
 * flows (the socket maps the messages onto its requests). Cold path: it allocates freely.
 */
package dev.z8run.api.ws.z8;
