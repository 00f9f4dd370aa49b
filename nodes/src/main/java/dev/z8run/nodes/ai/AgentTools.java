package dev.z8run.nodes.ai;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.NodeContext;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import dev.z8run.nodes.ai.vector.InMemoryVectorCollections;
import dev.z8run.nodes.ai.vector.MetadataFilter;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.ai.vector.VectorMatch;
import dev.z8run.nodes.support.LinkReturns;
import dev.z8run.nodes.support.LinkTargets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The tools of an {@code ai-agent}: z8run's {@code {name, description, parameters}}, each run by
 * the agent itself when it says how ({@code link}, {@code url} or {@code collection}), or left to
 * the flow ({@code tool_call} output) when it does not.
 */
final class AgentTools {
  /** Largest answer a URL tool may give. */
  static final int MAX_TOOL_ANSWER_BYTES = 1 << 20;

  /** How a tool runs. */
  enum Kind {
    /** Through a Link In, back through a Link Out in return mode. */
    LINK,
    /** The arguments POSTed as JSON to a URL. */
    URL,
    /** A search of a vector-store collection. */
    COLLECTION,
    /** Not run by the agent: it leaves on the tool_call output. */
    EXTERNAL
  }

  /** One tool, as configured. */
  record Tool(
      Chat.ToolSpec spec,
      Kind kind,
      String target,
      Map<String, String> headers,
      int topK,
      double minScore,
      Map<String, Object> filter) {}

  private final NodeContext context;
  private final Map<String, Tool> tools = new LinkedHashMap<>();
  private final long toolTimeoutMs;
  private ProviderClient http;
  private Embedder embedder;
  private VectorCollections.Space space;

  AgentTools(NodeContext context, Object configured, long toolTimeoutMs) {
    this.context = context;
    this.toolTimeoutMs = toolTimeoutMs;
    Object value = configured;
    if (value instanceof String text) {
      try {
        value = text.isBlank() ? List.of() : JsonCodec.parse(text);
      } catch (JsonCodec.JsonException bad) {
        throw new IllegalArgumentException("tools: not JSON: " + bad.getMessage());
      }
    }
    if (value == null) {
      value = List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(
          "tools: expected an array of {name, description, parameters}, got "
              + JsonCodec.describe(value));
    }
    for (int i = 0; i < list.size(); i++) {
      Tool tool = tool(list.get(i), "tools[" + i + "]");
      if (tools.put(tool.spec().name(), tool) != null) {
        throw new IllegalArgumentException(
            "tools[" + i + "].name: '" + tool.spec().name() + "' appears twice");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Tool tool(Object item, String where) {
    if (!(item instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": expected {name, description, parameters}");
    }
    if (!(map.get("name") instanceof String name) || !name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          where + ".name: expected 1..64 letters, digits, _ or - (what providers accept)");
    }
    String description = map.get("description") instanceof String d ? d : "";
    Object parameters = map.get("parameters");
    if (parameters instanceof String text) {
      parameters = JsonCodec.parse(text);
    }
    boolean collection = map.get("collection") instanceof String;
    if (parameters == null) {
      parameters =
          collection
              ? JsonCodec.parse(
                  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\","
                      + "\"description\":\"What to look for\"}},\"required\":[\"query\"]}")
              : JsonCodec.parse("{\"type\":\"object\",\"properties\":{}}");
    }
    if (!(parameters instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(where + ".parameters: expected a JSON Schema object");
    }
    Chat.ToolSpec spec = new Chat.ToolSpec(name, description, (Map<String, Object>) parameters);
    int set = 0;
    Kind kind = Kind.EXTERNAL;
    String target = null;
    if (map.get("link") instanceof String link && !link.isBlank()) {
      kind = Kind.LINK;
      target = link;
      set++;
    }
    if (map.get("url") instanceof String url && !url.isBlank()) {
      kind = Kind.URL;
      target = url;
      set++;
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ".url: '" + url + "' is not a URL");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new IllegalArgumentException(
            where + ".url: '" + url + "' is not an http or https URL");
      }
    }
    if (collection) {
      kind = Kind.COLLECTION;
      target = VectorStoreNode.collection((String) map.get("collection"));
      set++;
    }
    if (set > 1) {
      throw new IllegalArgumentException(
          where + ": give one of link, url and collection, not several");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (map.get("headers") instanceof Map<?, ?> given) {
      given.forEach((key, value) -> headers.put(String.valueOf(key), String.valueOf(value)));
    }
    int topK = map.get("topK") instanceof Number n ? Math.max(1, Math.min(100, n.intValue())) : 4;
    double minScore = map.get("minScore") instanceof Number n ? n.doubleValue() : 0;
    Map<String, Object> filter =
        map.get("filter") instanceof Map<?, ?> f ? (Map<String, Object>) f : Map.of();
    MetadataFilter.check(filter);
    return new Tool(spec, kind, target, Map.copyOf(headers), topK, minScore, filter);
  }

  /** Prepares what the configured tools need (called once, from the node's factory). */
  void prepare(long timeoutMs) {
    for (Tool tool : tools.values()) {
      if (tool.kind() == Kind.URL && http == null) {
        ProviderSettings settings =
            new ProviderSettings(Provider.OPENAI, "tools", "", "", timeoutMs, 0, 64);
        http =
            new ProviderClient(
                settings,
                AiNodes.policy(context),
                context
                    .service(
                        dev.z8run.nodes.ai.provider.ProviderHttp.class,
                        dev.z8run.nodes.ai.provider.ProviderHttp::new)
                    .client(),
                AiNodes.usage(context).counters(context.flowId(), "tool", "url"));
      }
      if (tool.kind() == Kind.COLLECTION && space == null) {
        embedder = Embedder.local(AiNodes.localEmbedder(context));
        space =
            context
                .service(VectorCollections.class, InMemoryVectorCollections::new)
                .forFlow(context.flowId());
      }
    }
  }

  List<Chat.ToolSpec> specs() {
    List<Chat.ToolSpec> specs = new ArrayList<>();
    tools.values().forEach(tool -> specs.add(tool.spec()));
    return specs;
  }

  Tool find(String name) {
    return tools.get(name);
  }

  /**
   * Runs a tool the agent runs itself and answers what to tell the model: the result, or {@code
   * error: ...} (the model may recover; the loop goes on).
   */
  String run(Tool tool, Chat.ToolCall call, MessageFlyweight msg) throws InterruptedException {
    try {
      return switch (tool.kind()) {
        case LINK -> link(tool, call, msg);
        case URL -> url(tool, call);
        case COLLECTION -> search(tool, call);
        case EXTERNAL -> throw new IllegalStateException("an external tool is not run here");
      };
    } catch (ProviderException | IllegalArgumentException | IllegalStateException failed) {
      return "error: " + failed.getMessage();
    }
  }

  private String link(Tool tool, Chat.ToolCall call, MessageFlyweight msg)
      throws InterruptedException {
    LinkReturns returns = context.service(LinkReturns.class, LinkReturns::new);
    long number = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    CompletableFuture<Map<String, Object>> answer =
        returns.expect(context.flowId(), context.nodeId(), number);
    try {
      LinkTargets.Target target = LinkTargets.of(context).resolve(context.flowId(), tool.target());
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("payload", call.arguments());
      body.put("topic", tool.spec().name());
      body.put(
          "_linkSource",
          List.of(Map.of("id", context.nodeId(), "call", number, "flow", context.flowId())));
      byte[] json = JsonCodec.write(body);
      InjectResult result =
          context.triggerAt(
              target.flowId(),
              target.nodeId(),
              new MessageBodyView().json(new UnsafeBuffer(json), 0, json.length).ref(msg.ref()));
      if (result != InjectResult.ACCEPTED) {
        return "error: the tool's link '"
            + tool.target()
            + "' did not take the call: "
            + (result == InjectResult.UNKNOWN_NODE ? "no running flow has that node" : result);
      }
      Map<String, Object> returned = answer.get(toolTimeoutMs, TimeUnit.MILLISECONDS);
      Object payload = returned.get("payload");
      return payload instanceof String text ? text : JsonCodec.writeString(payload);
    } catch (TimeoutException late) {
      return "error: no return from link '" + tool.target() + "' within " + toolTimeoutMs + " ms";
    } catch (ExecutionException impossible) {
      return "error: " + impossible.getCause();
    } finally {
      returns.forget(context.flowId(), context.nodeId(), number);
    }
  }

  private String url(Tool tool, Chat.ToolCall call) throws ProviderException, InterruptedException {
    byte[] answer =
        http.post(
            URI.create(tool.target()),
            tool.headers(),
            JsonCodec.write(call.arguments()),
            MAX_TOOL_ANSWER_BYTES);
    return new String(answer, StandardCharsets.UTF_8);
  }

  private String search(Tool tool, Chat.ToolCall call)
      throws ProviderException, InterruptedException {
    Object query = call.arguments().get("query");
    if (!(query instanceof String text) || text.isBlank()) {
      for (Object value : call.arguments().values()) {
        if (value instanceof String s && !s.isBlank()) {
          query = s;
          break;
        }
      }
    }
    if (!(query instanceof String text) || text.isBlank()) {
      return "error: give the search text as the argument 'query'";
    }
    float[] vector = embedder.embed(List.of(text)).get(0);
    List<VectorMatch> matches =
        space.search(tool.target(), vector, tool.topK(), tool.minScore(), tool.filter());
    List<Object> results = new ArrayList<>();
    for (VectorMatch match : matches) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("text", match.text());
      result.put("score", Math.round(match.score() * 1000) / 1000.0);
      result.put("metadata", match.metadata());
      results.add(result);
    }
    return JsonCodec.writeString(results);
  }
}
