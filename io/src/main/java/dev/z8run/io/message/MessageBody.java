package dev.z8run.io.message;

import org.agrona.DirectBuffer;

/**
 * What a new execution starts with: a JSON body, a binary payload beside it (possibly empty) and
 * the {@code ref} its messages carry. The one parameter of every trigger, instead of seven: {@link
 * MessageFlyweight} is one (a message passed on to another flow or an observer), {@link
 * MessageBodyView} points at bytes from elsewhere without allocating.
 *
 * <p>Valid only during the call it is passed to; the callee copies what it keeps.
 */
public interface MessageBody {
  DirectBuffer jsonBuffer();

  int jsonOffset();

  int jsonLength();

  /** Where the binary payload lies; any buffer when {@link #binaryLength()} is 0. */
  DirectBuffer binaryBuffer();

  int binaryOffset();

  int binaryLength();

  /** The out-of-band handle the execution's messages carry; 0 for none. */
  long ref();

  /**
   * Length of the JSON's field index (see {@code dev.z8run.io.json.FieldIndex}); 0, the default,
   * when the body carries none. An index describes the JSON exactly as it is.
   */
  default int indexLength() {
    return 0;
  }

  /** Where the field index lies; any buffer when {@link #indexLength()} is 0. */
  default DirectBuffer indexBuffer() {
    return jsonBuffer();
  }

  default int indexOffset() {
    return 0;
  }
}
