/**
 * The HTTP conventions every resource of the server shares: the one error shape {@code
 * {"error":{"code":N,"message":"..."}}} and the routing error handlers that produce it ({@link
 * dev.z8run.api.http.ErrorResponses}, {@link dev.z8run.api.http.ApiException}), JSON bodies written
 * with jackson-core ({@link dev.z8run.api.http.Json}) and read under a size limit ({@link
 * dev.z8run.api.http.RequestBodies}, {@link dev.z8run.api.http.JsonBody}), answers without content
 * ({@link dev.z8run.api.http.NoContent}), and the HTTP/1 connections ({@link
 * dev.z8run.api.http.ClientConnections}).
 *
 * <p>Depends on no other package of the api module (the resources, the authentication filter, the
 * hooks and the socket depend on it); owns no route and no state.
 */
package dev.z8run.api.http;
