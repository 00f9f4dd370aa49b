/**
 * Flows as the API manages them: {@link dev.z8run.api.flows.FlowManager} joins the store
 * (documents, revisions, status) and the engine (deploy, stop) and resolves vault references;
 * {@link dev.z8run.api.flows.FlowService} is its REST resource; {@link
 * dev.z8run.api.flows.FlowDocuments} converts to and from z8run's export format.
 */
package dev.z8run.api.flows;
