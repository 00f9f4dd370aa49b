package dev.z8run.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small JSON bodies for the control plane, written with jackson-core's streaming generator. */
public final class Json {
  // a shared buffer pool: the default one is per thread, and every request runs on a new
  // virtual thread, which would allocate fresh buffers each time
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();

  /** Writes one JSON value through a generator. */
  @FunctionalInterface
  public interface Writer {
    void write(JsonGenerator json) throws IOException;
  }

  private Json() {}

  /** The UTF-8 bytes {@code writer} produces. */
  public static byte[] bytes(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      writer.write(json);
    } catch (IOException e) {
      // a ByteArrayOutputStream does not fail; a generator misuse does, and is a bug
      throw new UncheckedIOException("cannot write JSON body", e);
    }
    return out.toByteArray();
  }
}
