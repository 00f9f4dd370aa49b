/**
 * REST resources under {@code /api/v1}, one Helidon {@code HttpService} per resource, and the JSON
 * error shape {@code {"error":{"code":N,"message":"..."}}} every failure answers with. Handlers run
 * on Helidon's virtual threads and may allocate; they reach the engine only through its command
 * interface, never through agent-owned state.
 */
package dev.z8run.api.rest;
