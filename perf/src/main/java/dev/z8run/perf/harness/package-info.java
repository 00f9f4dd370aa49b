/**
 * The end-to-end load harness ({@link dev.z8run.perf.harness.Harness}) and its scenarios, run by
 * the side-by-side comparison script. Drives a real engine from outside through its public command
 * interface; must not reach into engine internals, so that what it measures is what a server gets.
 */
package dev.z8run.perf.harness;
