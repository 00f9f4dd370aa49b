package dev.z8run.nodes.ai.provider;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat completion in the providers' common terms: a conversation of {@link Turn}s, the tools the
 * model may call, and what came back. Each provider's class writes and reads its own wire format
 * from these ({@link OpenAiChat}, {@link AnthropicChat}, {@link OllamaChat}).
 */
public final class Chat {
  private Chat() {}

  /** Who said a turn. */
  public enum Role {
    USER,
    ASSISTANT,
    /** The result of a tool call, answering {@link Turn#toolCallId()}. */
    TOOL
  }

  /**
   * One turn of the conversation.
   *
   * @param text what was said (the tool's result for {@link Role#TOOL})
   * @param toolCalls the tools an assistant turn called (empty otherwise)
   * @param toolCallId for a tool turn: the call it answers
   * @param toolName for a tool turn: the tool's name
   */
  public record Turn(
      Role role, String text, List<ToolCall> toolCalls, String toolCallId, String toolName) {
    public Turn {
      Objects.requireNonNull(role, "role");
      text = text == null ? "" : text;
      toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Turn user(String text) {
      return new Turn(Role.USER, text, List.of(), null, null);
    }

    public static Turn assistant(String text, List<ToolCall> calls) {
      return new Turn(Role.ASSISTANT, text, calls, null, null);
    }

    public static Turn tool(ToolCall call, String result) {
      return new Turn(Role.TOOL, result, List.of(), call.id(), call.name());
    }
  }

  /** A tool the model may call: z8run's {@code {name, description, parameters}}. */
  public record ToolSpec(String name, String description, Map<String, Object> parameters) {}

  /**
   * A call the model asked for.
   *
   * @param id the provider's id of the call (made up for Ollama, which gives none)
   * @param arguments the arguments parsed from the model's JSON; empty when it was not JSON
   * @param rawArguments the arguments as the model wrote them
   */
  public record ToolCall(
      String id, String name, Map<String, Object> arguments, String rawArguments) {}

  /** Tokens a call spent, as the provider reported them (0 when it did not). */
  public record Usage(long promptTokens, long completionTokens) {
    public static final Usage NONE = new Usage(0, 0);

    public long totalTokens() {
      return promptTokens + completionTokens;
    }

    public Usage plus(Usage other) {
      return new Usage(
          promptTokens + other.promptTokens, completionTokens + other.completionTokens);
    }

    /** As {@code msg.usage}: OpenAI's names. */
    public Map<String, Object> toJson() {
      return Map.of(
          "prompt_tokens", promptTokens,
          "completion_tokens", completionTokens,
          "total_tokens", totalTokens());
    }
  }

  /**
   * What to ask.
   *
   * @param system the system prompt, empty for none
   * @param temperature sampling temperature; NaN leaves the provider's default
   * @param maxTokens most tokens to generate
   * @param jsonMode ask for a JSON object answer where the provider has such a mode
   */
  public record Request(
      String system,
      List<Turn> turns,
      double temperature,
      long maxTokens,
      List<ToolSpec> tools,
      boolean jsonMode) {
    public Request {
      system = system == null ? "" : system;
      turns = List.copyOf(turns);
      tools = tools == null ? List.of() : List.copyOf(tools);
    }
  }

  /**
   * What came back.
   *
   * @param finishReason the provider's reason ({@code stop}, {@code end_turn}, {@code tool_calls},
   *     {@code length} ...), or empty
   */
  public record Result(
      String text, List<ToolCall> toolCalls, Usage usage, String finishReason, String model) {
    public Result {
      toolCalls = List.copyOf(toolCalls);
    }
  }

  /** Receives the pieces of a streamed answer as they arrive. */
  @FunctionalInterface
  public interface Deltas {
    /** A piece of the answer's text (never empty). May block: the stream waits. */
    void onText(String delta) throws InterruptedException;
  }
}
