package dev.z8run.store;

import java.nio.file.Path;

/**
 * The child process of {@link StoreCrashTest}: creates and updates flows as fast as it can and
 * prints {@code ack <id> <revision>} after each write returned. Stops by itself after {@link
 * #MAX_WRITES} writes if nobody kills it. Arguments: data directory, flow id prefix.
 */
public final class StoreCrashWriter {
  static final int MAX_WRITES = 20_000;

  private StoreCrashWriter() {}

  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    String idPrefix = args[1];
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      for (int i = 0; i < MAX_WRITES; i++) {
        String id = idPrefix + (i / 2);
        int revision =
            i % 2 == 0
                ? store.flows().create("owner", TestFlows.flow(id, "v" + i, 3)).revision()
                : store.flows().update("owner", TestFlows.flow(id, "v" + i, 3)).get().revision();
        System.out.println("ack " + id + " " + revision);
        System.out.flush();
      }
    }
  }
}
