package dev.z8run.core.event;

import org.agrona.DirectBuffer;

/**
 * One engine event as it lies in the event record, its ids resolved and its text left as bytes:
 * what an {@link EngineEventHandler} reads. One instance per subscription is filled again for every
 * event, so it allocates nothing; it and its {@link #text()} are valid only during the handler's
 * call.
 */
public final class EngineEvent {
  private int type;
  private String flowId;
  private String nodeId;
  private long executionId;
  private long value;
  private DirectBuffer text;
  private int textOffset;
  private int textLength;

  EngineEvent set(
      int type,
      String flowId,
      String nodeId,
      long executionId,
      long value,
      DirectBuffer text,
      int textOffset,
      int textLength) {
    this.type = type;
    this.flowId = flowId;
    this.nodeId = nodeId;
    this.executionId = executionId;
    this.value = value;
    this.text = text;
    this.textOffset = textOffset;
    this.textLength = textLength;
    return this;
  }

  /** One of {@link EventDescriptor}'s event types. */
  public int type() {
    return type;
  }

  public String flowId() {
    return flowId;
  }

  /** The node's id, or null for a flow-level event. */
  public String nodeId() {
    return nodeId;
  }

  public long executionId() {
    return executionId;
  }

  /** The event's number: a duration, a count or a length, by type. */
  public long value() {
    return value;
  }

  /** The buffer holding the event's text (a status, an error, a preview) as UTF-8 bytes. */
  public DirectBuffer text() {
    return text;
  }

  public int textOffset() {
    return textOffset;
  }

  public int textLength() {
    return textLength;
  }

  /** The text, decoded; at most {@code maxBytes} of it. */
  public String textString(int maxBytes) {
    return text.getStringWithoutLengthUtf8(textOffset, Math.min(textLength, maxBytes));
  }
}
