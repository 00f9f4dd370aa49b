/**
 * The engine's settings ({@link dev.z8run.core.config.EngineConfig}): worker count, ring sizes,
 * limits, clocks. Immutable values checked when built; must not read the environment or start
 * anything (the server's wiring decides the values and passes them in).
 */
package dev.z8run.core.config;
