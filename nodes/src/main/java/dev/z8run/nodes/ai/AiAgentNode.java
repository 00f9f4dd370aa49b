package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code ai-agent}: a tool-calling loop. The model gets the message's text and the tools; while it
 * asks for tools the agent runs them ({@code link}, {@code url}, {@code collection}; see {@link
 * AgentTools}) and gives it the results, for at most {@code maxIterations} model calls; its final
 * answer leaves on {@code response} as {@code {text, model, provider, iterations, steps}}. A call
 * of a tool the agent cannot run itself leaves on {@code tool_call}, as in z8run. Every step (each
 * model answer, each tool call and its result) is published as a debug event of the node, so it
 * shows in the editor's debug panel and in the execution's trace, and is listed in {@code
 * payload.steps}.
 */
public final class AiAgentNode extends TextInputNode {
  public static final NodeType TYPE =
      AiNodes.chatType(
              "ai-agent",
              "A language model that calls tools (links, URLs, vector searches) in a loop.",
              "gpt-4o",
              60_000)
          .outputs(
              new PortSpec("response", PortType.OBJECT),
              new PortSpec("tool_call", PortType.OBJECT),
              PortSpec.any("error"))
          .field(
              ConfigField.optional(
                  "systemPrompt",
                  FieldType.STRING,
                  "You are a helpful assistant.",
                  "Instructions sent before the conversation."))
          .field(
              ConfigField.optional(
                  "tools",
                  FieldType.ANY,
                  List.of(),
                  "[{name, description, parameters}] plus link (a Link In id), url or collection;"
                      + " without them a call leaves on tool_call."))
          .field(
              ConfigField.optional(
                  "maxIterations",
                  FieldType.INTEGER,
                  5L,
                  "Most model calls per message (1 to 50)."))
          .field(
              ConfigField.optional(
                  "temperature", FieldType.NUMBER, 0.7, "Sampling temperature (0 to 2)."))
          .field(
              ConfigField.optional(
                  "maxTokens", FieldType.INTEGER, 2048L, "Most tokens per answer (1 to 1000000)."))
          .field(
              ConfigField.optional(
                  "toolTimeout",
                  FieldType.INTEGER,
                  30_000L,
                  "Milliseconds a link or url tool may take (1 to 600000)."))
          .factory(AiAgentNode::new)
          .build();

  private static final int RESPONSE = 0;
  private static final int TOOL_CALL = 1;
  private static final int ERROR = 2;
  private static final int STEP_PREVIEW_BYTES = 4096;
  private static final List<String> TEXT_KEYS =
      List.of("text", "input", "content", "message", "prompt", "body");

  private final NodeContext context;
  private final ChatModel model;
  private final AgentTools tools;
  private final String system;
  private final int maxIterations;
  private final double temperature;
  private final long maxTokens;

  private AiAgentNode(NodeContext context) {
    super(new AiNodes.ErrorPort(context, TYPE.name(), ERROR), TEXT_KEYS);
    this.context = context;
    this.model = ChatModel.from(context, "gpt-4o");
    long toolTimeoutMs = AiNodes.whole(context, "toolTimeout", 30_000, 1, 600_000);
    this.tools = new AgentTools(context, context.config().get("tools"), toolTimeoutMs);
    this.tools.prepare(toolTimeoutMs);
    this.system = context.configString("systemPrompt", "You are a helpful assistant.");
    this.maxIterations = (int) AiNodes.whole(context, "maxIterations", 5, 1, 50);
    this.temperature = AiNodes.number(context, "temperature", 0.7, 0, 2);
    this.maxTokens = AiNodes.whole(context, "maxTokens", 2048, 1, 1_000_000);
  }

  @Override
  void onText(MessageFlyweight msg, Map<String, Object> body, String text, Output out)
      throws InterruptedException {
    ChatModel.Usage usage = new ChatModel.Usage();
    List<Chat.Turn> turns = new ArrayList<>(List.of(Chat.Turn.user(text)));
    List<Object> steps = new ArrayList<>();
    for (int iteration = 1; iteration <= maxIterations; iteration++) {
      Chat.Result result;
      try {
        result =
            model.ask(
                new Chat.Request(system, turns, temperature, maxTokens, tools.specs(), false),
                usage);
      } catch (ProviderException failed) {
        Map<String, Object> details = model.errorDetails(failed);
        details.put("iteration", (long) iteration);
        body.put("usage", usage.toJson());
        errors.send(msg, body, out, failed.getMessage(), details);
        return;
      }
      step(msg, steps, iteration, "model", modelStep(result));
      if (result.toolCalls().isEmpty()) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("text", result.text());
        payload.put("model", result.model());
        payload.put("provider", model.settings().provider().id());
        payload.put("iterations", (long) iteration);
        payload.put("steps", steps);
        body.put("payload", payload);
        body.put("usage", usage.toJson());
        MessageBodies.send(out, RESPONSE, body, msg);
        return;
      }
      turns.add(Chat.Turn.assistant(result.text(), result.toolCalls()));
      List<Chat.ToolCall> external = new ArrayList<>();
      for (Chat.ToolCall call : result.toolCalls()) {
        AgentTools.Tool tool = tools.find(call.name());
        String answer;
        if (tool == null) {
          answer = "error: there is no tool named '" + call.name() + "'";
        } else if (tool.kind() == AgentTools.Kind.EXTERNAL) {
          external.add(call);
          continue;
        } else {
          answer = tools.run(tool, call, msg);
        }
        Map<String, Object> toolStep = new LinkedHashMap<>();
        toolStep.put("tool", call.name());
        toolStep.put("arguments", call.arguments());
        toolStep.put("result", answer);
        step(msg, steps, iteration, "tool", toolStep);
        turns.add(Chat.Turn.tool(call, answer));
      }
      if (!external.isEmpty()) {
        Chat.ToolCall first = external.get(0);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tool_name", first.name());
        payload.put("arguments", first.arguments());
        payload.put("iteration", (long) iteration);
        payload.put("tool_call_id", first.id());
        List<Object> calls = new ArrayList<>();
        for (Chat.ToolCall call : external) {
          calls.add(
              Map.of("id", call.id(), "tool_name", call.name(), "arguments", call.arguments()));
        }
        payload.put("tool_calls", calls);
        payload.put("steps", steps);
        body.put("payload", payload);
        body.put("usage", usage.toJson());
        MessageBodies.send(out, TOOL_CALL, body, msg);
        return;
      }
    }
    Map<String, Object> details = model.errorDetails(null);
    details.put("steps", steps);
    body.put("usage", usage.toJson());
    errors.send(
        msg,
        body,
        out,
        "no final answer within maxIterations=" + maxIterations + " model calls",
        details);
  }

  private static Map<String, Object> modelStep(Chat.Result result) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("text", result.text());
    List<Object> calls = new ArrayList<>();
    for (Chat.ToolCall call : result.toolCalls()) {
      calls.add(Map.of("tool", call.name(), "arguments", call.arguments()));
    }
    step.put("tool_calls", calls);
    step.put("usage", result.usage().toJson());
    return step;
  }

  /** Records a step in the answer and publishes it as a debug event of this execution. */
  private void step(
      MessageFlyweight msg,
      List<Object> steps,
      int iteration,
      String kind,
      Map<String, Object> what) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("iteration", (long) iteration);
    step.put("kind", kind);
    step.putAll(what);
    steps.add(step);
    byte[] json = JsonCodec.write(Map.of("agent_step", step));
    context.debug(msg.executionId(), new UnsafeBuffer(json), 0, json.length, STEP_PREVIEW_BYTES);
  }
}
