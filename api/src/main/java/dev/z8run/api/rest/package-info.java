/**
 * REST resources under {@code /api/v1} and {@code /auth}, one Helidon {@code HttpService} per
 * resource; every failure answers with the error shape of {@link dev.z8run.api.http}. Handlers run
 * on Helidon's virtual threads and may allocate; they reach the engine only through its command
 * interface, never through agent-owned state.
 */
package dev.z8run.api.rest;
