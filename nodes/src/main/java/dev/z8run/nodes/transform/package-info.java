/**
 * Nodes that rewrite a message: {@code change} (set, change, move, delete properties, with JSONata
 * values), {@code template} (Mustache), {@code json} (parse, stringify, extract) and {@code range}
 * (scale a number). They may materialise the body; each sends what it built and keeps the binary
 * payload. Must not depend on another node family.
 */
package dev.z8run.nodes.transform;
