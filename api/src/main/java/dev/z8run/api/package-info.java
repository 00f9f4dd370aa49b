/**
 * The process: the {@code z8run} command line, settings from the environment, logging set-up and
 * the Helidon web server's lifecycle. HTTP resources live in {@link dev.z8run.api.rest}; this
 * package wires them onto a server and must not hold request handling of its own.
 */
package dev.z8run.api;
