package dev.z8run.nodes.ai.provider;

/**
 * Reads server-sent events (the {@code text/event-stream} format OpenAI and Anthropic stream in)
 * line by line: {@code event:} names the event, {@code data:} lines are joined with newlines, a
 * blank line dispatches it; comments ({@code :}) and other fields are skipped. Not thread-safe; one
 * per stream.
 */
final class ServerSentEvents implements ProviderClient.LineHandler {
  /** Receives each complete event. */
  @FunctionalInterface
  interface Listener {
    void onEvent(String event, String data) throws ProviderException, InterruptedException;
  }

  private final Listener listener;
  private final StringBuilder data = new StringBuilder();
  private String event = "message";
  private boolean hasData;

  ServerSentEvents(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void onLine(String line) throws ProviderException, InterruptedException {
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
  }

  /** Dispatches an event the stream ended without a blank line after. */
  void finish() throws ProviderException, InterruptedException {
    dispatch();
  }

  private void dispatch() throws ProviderException, InterruptedException {
    if (hasData) {
      String payload = data.toString();
      String name = event;
      data.setLength(0);
      hasData = false;
      event = "message";
      listener.onEvent(name, payload);
    } else {
      event = "message";
    }
  }
}
