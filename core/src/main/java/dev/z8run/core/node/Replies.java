package dev.z8run.core.node;

import java.util.Map;

/**
 * The way back to an outside party that waits on an execution: a trigger that holds a request open
 * (HTTP In) registers it under a {@code ref}, which travels in every message header of the
 * execution ({@link dev.z8run.io.message.MessageFlyweight#ref()}); a responding node answers it
 * here. The engine knows nothing of what a reply means; the server that registered the ref does.
 *
 * <p>Implementations are thread-safe; nodes find the one the server installed through {@link
 * NodeContext#service(Class)}.
 */
public interface Replies {
  /**
   * Answers the party waiting on {@code ref}.
   *
   * @param statusCode the status to answer with, a final one (200..599: http-out sends no 1xx)
   * @param headers header name to value; a value holding {@code \n} is several values of that
   *     header, each sent on its own line ({@code Set-Cookie}): no header value holds a line break
   * @param payloadJson the payload as UTF-8 JSON (a string, an object, null ...), not re-parsed
   *     unless it is a string
   * @param binary a binary payload to send instead of the JSON payload, or null
   * @return false when nobody waits on {@code ref} any more (answered already, or timed out)
   */
  boolean reply(
      long ref, int statusCode, Map<String, String> headers, byte[] payloadJson, byte[] binary);
}
