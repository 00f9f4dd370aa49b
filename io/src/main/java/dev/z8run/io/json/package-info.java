/**
 * JSON over bytes: {@link dev.z8run.io.json.JsonScanner} reads and {@link
 * dev.z8run.io.json.JsonPatch} rewrites fields of a message body in place without building a tree
 * (the hot path); {@code JsonCodec} converts between JSON and plain Java values with jackson-core
 * (the control plane); {@link dev.z8run.io.json.JsonBytes} writes a message's JSON by hand where a
 * generator per message would cost more than the text (the hook's requests, MQTT messages). Knows
 * nothing about flows or nodes.
 */
package dev.z8run.io.json;
