package dev.z8run.core.event;

import org.agrona.DirectBuffer;

/**
 * Receives engine events as they lie in the event record, without decoding their text: the form an
 * editor socket reads them in, copying previews straight into its frames. The {@code type} is one
 * of {@link EventDescriptor}'s event types.
 */
@FunctionalInterface
public interface EngineEventHandler {
  /**
   * One event.
   *
   * @param nodeId the node's id, or null for a flow-level event
   * @param text the event's text (a status, an error, a preview) as UTF-8 bytes; valid only during
   *     this call
   */
  void onEvent(
      int type,
      String flowId,
      String nodeId,
      long executionId,
      long value,
      DirectBuffer text,
      int textOffset,
      int textLength);
}
