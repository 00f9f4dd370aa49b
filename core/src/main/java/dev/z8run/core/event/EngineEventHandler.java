package dev.z8run.core.event;

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
   * @param event the event, valid (with its text) only during this call
   */
  void onEvent(EngineEvent event);
}
