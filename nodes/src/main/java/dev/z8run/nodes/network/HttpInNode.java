package dev.z8run.nodes.network;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import java.util.List;

/**
 * {@code http-in}: starts an execution for each HTTP request to {@code /hook/{flowId}{path}} whose
 * method matches. The server builds the message ({@code payload.req} and {@code req}: method, path,
 * headers, query, params, body) and holds the request open until an {@code http-out} node of the
 * same execution answers it (or the server's timeout does, with 504). This node passes the message
 * on unchanged.
 *
 * <p>{@code mode} chooses the message: z8run's ({@code msg.payload = {req: ...}}, as z8run's
 * http-in node makes it) or Node-RED's ({@code msg.payload} is the body, or the query for GET, form
 * bodies parsed into an object, and {@code msg.req} the request; what the Node-RED importer sets).
 */
public final class HttpInNode implements Node {
  /** The methods an HTTP In node can listen to; {@code ANY} matches every method. */
  public static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY");

  public static final NodeType TYPE =
      NodeType.builder("http-in")
          .category("network")
          .runsOnCaller(true)
          .description("Starts the flow for each HTTP request to /hook/{flow id}{path}.")
          .inputs()
          .field(ConfigField.choice("method", "GET", METHODS, "The HTTP method to answer."))
          .field(
              ConfigField.required(
                  "path",
                  FieldType.STRING,
                  "The path under /hook/{flow id}, e.g. /orders or /orders/:id (segments starting"
                      + " with ':' are parameters; Express's :id?, :id(re) and * too)."))
          .field(
              ConfigField.choice(
                  "mode",
                  "z8run",
                  List.of("z8run", "node-red"),
                  "z8run: msg.payload is {req: method, path, headers, query, params, body};"
                      + " node-red: msg.payload is the body (GET: the query), msg.req the request,"
                      + " cookies and form bodies parsed."))
          .factory(
              context -> {
                String path = context.configString("path", "");
                if (ExpressPath.usesForms(path)) {
                  try {
                    ExpressPath.compile(path, new java.util.ArrayList<>());
                  } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("path: " + bad.getMessage(), bad);
                  }
                }
                return new HttpInNode();
              })
          .build();

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    out.forward(0, msg);
  }
}
