package dev.z8run.store.vector;

import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The child of {@link VectorStoreCrashTest}: stores one entry at a time and searches after every
 * tenth (so its index commits now and then), printing {@code ack <n>} after each store returned.
 * Stops by itself after {@link #MAX_WRITES}.
 */
public final class VectorCrashWriter {
  static final int MAX_WRITES = 20_000;

  private VectorCrashWriter() {}

  /** A vector nearest to itself among those of the other entries. */
  static float[] vector(int i) {
    float[] v = new float[16];
    v[i % 16] = 1;
    v[(i / 16) % 16] += 0.5f;
    v[(i / 256) % 16] += 0.25f;
    v[(i * 7 + 3) % 16] += 0.125f;
    return v;
  }

  public static void main(String[] args) {
    try (Store store = Store.open(StoreConfig.of(Path.of(args[0])))) {
      for (int i = 0; i < MAX_WRITES; i++) {
        store
            .vectors()
            .upsert("owner", "crash", List.of(new VectorRecord("e" + i, vector(i), "", "{}")));
        System.out.println("ack " + i);
        System.out.flush();
        if (i % 10 == 9) {
          store.vectors().search("owner", "crash", vector(i), 1, -1, Map.of());
        }
      }
    }
  }
}
