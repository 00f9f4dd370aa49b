/**
 * JMH micro-benchmarks: the engine hop, frames, the function node, plugins. Each drives its subject
 * through public APIs (the engine in manual mode: {@link dev.z8run.perf.jmh.ManualEngine}); figures
 * go to perf/README.md. Benchmarks only: nothing here is used by the server.
 */
package dev.z8run.perf.jmh;
