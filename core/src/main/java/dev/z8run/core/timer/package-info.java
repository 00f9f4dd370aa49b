/**
 * The engine's timer thread ({@link dev.z8run.core.timer.EngineTimers}): tasks nodes schedule and
 * deferred messages due later, each belonging to an owner (a deployed flow) whose tasks stop with
 * it. Owns that one thread and its queue; must not run long or blocking work (tasks write into
 * rings and return) and must not know what its owners are beyond whether they are still active.
 */
package dev.z8run.core.timer;
