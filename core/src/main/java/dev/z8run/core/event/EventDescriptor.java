package dev.z8run.core.event;

/**
 * Layout of one engine event in the event ring ({@link EngineEvents}), in native byte order as
 * Agrona writes it (events never leave the process in this form).
 *
 * <pre>
 *  0 flow_handle i32 | 4 node_index i32 (-1 = none) | 8 execution_id i64 (0 = none)
 *  16 value i64 (a duration in ns, or 0)            | 24 text: UTF-8, to the end of the record
 * </pre>
 */
public final class EventDescriptor {
  public static final int FLOW_HANDLE_OFFSET = 0;
  public static final int NODE_INDEX_OFFSET = FLOW_HANDLE_OFFSET + Integer.BYTES;
  public static final int EXECUTION_ID_OFFSET = NODE_INDEX_OFFSET + Integer.BYTES;
  public static final int VALUE_OFFSET = EXECUTION_ID_OFFSET + Long.BYTES;
  public static final int TEXT_OFFSET = VALUE_OFFSET + Long.BYTES;

  /** A traced execution started at node_index (its trigger). */
  public static final int EXECUTION_STARTED = 1;

  /**
   * A node finished a message of a traced execution; value = time spent in ns; text = the first
   * {@link #SAMPLE_BYTES} bytes of the message's JSON as the node received it.
   */
  public static final int NODE_COMPLETED = 2;

  /** A traced execution completed; value = duration in ns. */
  public static final int EXECUTION_COMPLETED = 3;

  /** An execution failed; node_index = first node that failed; value = duration in ns. */
  public static final int EXECUTION_FAILED = 4;

  /** A node reported an error; text = the reason. */
  public static final int NODE_ERROR = 5;

  /** A node published its status; text = the status. */
  public static final int NODE_STATUS = 6;

  /** A node reported a warning; text = the warning. */
  public static final int NODE_WARN = 7;

  /**
   * A debug node's preview of a message; value = the length of what was previewed before it was cut
   * to the preview limit; text = the preview (UTF-8 JSON, possibly cut).
   */
  public static final int NODE_DEBUG = 8;

  /**
   * A debug node published more previews than the engine passes on per node and second ({@link
   * #DEBUG_SAMPLES_PER_SECOND}); value = how many it dropped in the last window.
   */
  public static final int NODE_DEBUG_SKIPPED = 9;

  /**
   * The most previews one debug node passes on per second; the rest are counted and reported as
   * {@link #NODE_DEBUG_SKIPPED}. A flow at full speed then costs its watchers a bounded stream.
   */
  public static final int DEBUG_SAMPLES_PER_SECOND = 1000;

  /** How much of a traced message's JSON a node-completed event carries. */
  public static final int SAMPLE_BYTES = 512;

  /** The longest text an event carries; longer texts are cut. */
  public static final int MAX_TEXT_BYTES = 4096;

  private EventDescriptor() {}
}
