package dev.z8run.io.message;

import org.agrona.DirectBuffer;

/**
 * A reusable {@link MessageBody} over bytes that are not a message record: JSON from here, the
 * binary payload from there. {@link #json} resets the binary part and the ref, so a view reused for
 * a JSON-only body carries nothing from its previous use. Not thread-safe: one per producer.
 */
public final class MessageBodyView implements MessageBody {
  private DirectBuffer json;
  private int jsonOffset;
  private int jsonLength;
  private DirectBuffer binary;
  private int binaryOffset;
  private int binaryLength;
  private long ref;
  private DirectBuffer index;
  private int indexOffset;
  private int indexLength;

  /** Points the JSON at {@code length} bytes at {@code offset}; no binary payload, no ref. */
  public MessageBodyView json(DirectBuffer buffer, int offset, int length) {
    this.json = buffer;
    this.jsonOffset = offset;
    this.jsonLength = length;
    this.binary = buffer;
    this.binaryOffset = 0;
    this.binaryLength = 0;
    this.ref = 0;
    this.index = buffer;
    this.indexOffset = 0;
    this.indexLength = 0;
    return this;
  }

  /** Points the field index at {@code length} bytes at {@code offset} (0: none). */
  public MessageBodyView index(DirectBuffer buffer, int offset, int length) {
    this.index = buffer;
    this.indexOffset = offset;
    this.indexLength = length;
    return this;
  }

  @Override
  public DirectBuffer indexBuffer() {
    return index;
  }

  @Override
  public int indexOffset() {
    return indexOffset;
  }

  @Override
  public int indexLength() {
    return indexLength;
  }

  /** Points the binary payload at {@code length} bytes at {@code offset}. */
  public MessageBodyView binary(DirectBuffer buffer, int offset, int length) {
    this.binary = buffer;
    this.binaryOffset = offset;
    this.binaryLength = length;
    return this;
  }

  public MessageBodyView ref(long ref) {
    this.ref = ref;
    return this;
  }

  @Override
  public DirectBuffer jsonBuffer() {
    return json;
  }

  @Override
  public int jsonOffset() {
    return jsonOffset;
  }

  @Override
  public int jsonLength() {
    return jsonLength;
  }

  @Override
  public DirectBuffer binaryBuffer() {
    return binary;
  }

  @Override
  public int binaryOffset() {
    return binaryOffset;
  }

  @Override
  public int binaryLength() {
    return binaryLength;
  }

  @Override
  public long ref() {
    return ref;
  }
}
