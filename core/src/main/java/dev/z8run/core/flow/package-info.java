/**
 * The flow document (nodes on a canvas and the wires between their ports) and its JSON form.
 * Immutable values only; no runtime state.
 */
package dev.z8run.core.flow;
