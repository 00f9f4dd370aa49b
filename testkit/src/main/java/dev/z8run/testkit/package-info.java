/**
 * What the tests of several modules share, and nothing that production code may use.
 *
 * <ul>
 *   <li>{@link dev.z8run.testkit.TestPlugins}: the WebAssembly test plugins under {@code plugins/}
 *       (each {@code .wasm} committed beside its {@code .wat} or C source).
 *   <li>{@link dev.z8run.testkit.TestServices}: the real servers integration tests talk to
 *       (PostgreSQL, MariaDB, Mosquitto, NATS with JetStream), found at their standard local ports
 *       or at the addresses {@code bin/services} is given.
 *   <li>{@link dev.z8run.testkit.TestTools}: the programs tests run (Chromium and its driver,
 *       {@code wat2wasm}).
 *   <li>{@link dev.z8run.testkit.Poll}: waiting for a condition (Awaitility, configured once).
 * </ul>
 *
 * <p>With {@code CI=true} a test whose service or tool is missing fails, naming it and the command
 * that provides it; elsewhere it is skipped with that same reason, never silently.
 */
package dev.z8run.testkit;
