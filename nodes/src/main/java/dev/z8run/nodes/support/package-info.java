/**
 * What node families share for reading and writing messages: {@link
 * dev.z8run.nodes.support.MessagePath} (a property path read in place from the JSON bytes), {@link
 * dev.z8run.nodes.support.JsonValues} (tests on a JSON value without parsing it), {@link
 * dev.z8run.nodes.support.MessageBodies} (a body as a map and back, config numbers), {@link
 * dev.z8run.nodes.support.JsonataExpression} and {@link dev.z8run.nodes.support.EnvValues}; and the
 * server's {@link dev.z8run.nodes.support.OutboundPolicy}, which every node that calls out (HTTP
 * Request, the AI nodes) obeys.
 *
 * <p>Helpers only: no node types live here, and nothing here may depend on a node family (the
 * families depend on this package).
 */
package dev.z8run.nodes.support;
