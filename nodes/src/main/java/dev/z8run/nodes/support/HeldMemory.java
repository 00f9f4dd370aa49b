package dev.z8run.nodes.support;

import dev.z8run.core.node.ContextMeters;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.NodeContext;
import dev.z8run.io.message.MemoryBudget;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The heap that messages held inside nodes take (Join's groups, Batch's and Sort's sequences,
 * Delay's and Trigger's waits, a function's timers) and the values of the context stores ({@link
 * #contextMeter}): one budget for the server, and a share of it per owner, so that one user's flows
 * cannot fill the heap (an {@code OutOfMemoryError} ends the server) nor take the room other users'
 * flows need. The off-heap blocks of messages in flight have their own budget ({@link
 * MemoryBudget}); what a node copies out of a message and keeps is on the heap, outside it.
 *
 * <p>A node takes a {@link Hold} when it is built and, before keeping a message, {@linkplain
 * Hold#tryTake takes} the message's {@linkplain #heapBytes(Object) estimated heap}; when it sends
 * or drops what it kept it gives the bytes back, and everything at stop. A message that finds no
 * room is the node's error ({@link Hold#refusal}) and is dropped: the flow goes on, and what the
 * node already holds is kept.
 *
 * <p>Thread-safe: a reservation is two compare-and-set loops (the owner, then the server).
 */
public final class HeldMemory {
  /** Owners with no share, when the host installed no {@link HeldMemory} (one-user engines). */
  private static final int NO_SHARE = 100;

  private final long budgetBytes;
  private final long shareBytes;
  private final Predicate<String> exempt;
  private final AtomicLong heldBytes = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> byOwner = new ConcurrentHashMap<>();

  /**
   * @param budgetBytes what the messages held by every node of the server may take together
   * @param sharePercent the part of it (1..100) the flows of one owner that is not exempt may hold
   * @param exempt the owners limited by the budget only (a server's admins)
   */
  public HeldMemory(long budgetBytes, int sharePercent, Predicate<String> exempt) {
    this(budgetBytes, sharePercent, exempt, EXEMPT_RECHECK_NS);
  }

  /**
   * How long a hold goes by an owner's exemption before it asks again: an admin demoted (or a user
   * made admin) is taken at their word within a second, also by the stores and nodes made before.
   */
  static final long EXEMPT_RECHECK_NS = 1_000_000_000L;

  private final long exemptRecheckNs;

  /**
   * @param exemptRecheckNs how long a hold keeps an answer of {@code exempt} (tests: 0, every take)
   */
  HeldMemory(long budgetBytes, int sharePercent, Predicate<String> exempt, long exemptRecheckNs) {
    if (budgetBytes <= 0 || sharePercent < 1 || sharePercent > 100) {
      throw new IllegalArgumentException(
          "budgetBytes="
              + budgetBytes
              + " must be positive and sharePercent="
              + sharePercent
              + " 1..100");
    }
    this.budgetBytes = budgetBytes;
    this.shareBytes = Math.max(1, budgetBytes / 100 * sharePercent);
    this.exempt = exempt;
    this.exemptRecheckNs = exemptRecheckNs;
  }

  /** The default budget: a quarter of the maximum heap (128 MiB with {@code -Xmx512m}). */
  public static long defaultBudgetBytes() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * A hold for the node of {@code context}, in its flow owner's account ({@link FlowOwners}) of the
   * host's {@link HeldMemory}; without one, of an engine-wide budget of {@link
   * #defaultBudgetBytes()} without shares.
   *
   * @param what the node type, for refusals ("join")
   */
  public static Hold hold(NodeContext context, String what) {
    HeldMemory memory =
        context.service(
            HeldMemory.class, () -> new HeldMemory(defaultBudgetBytes(), NO_SHARE, any -> true));
    FlowOwners owners = context.service(FlowOwners.class);
    return memory.new Hold(owners == null ? null : owners.ownerOf(context.flowId()), what);
  }

  /** What every node holds now. */
  public long heldBytes() {
    return heldBytes.get();
  }

  /** What {@code owner}'s nodes hold now. */
  public long heldBytes(String owner) {
    AtomicLong mine = byOwner.get(owner);
    return mine == null ? 0 : mine.get();
  }

  /** The server's budget for held messages. */
  public long budgetBytes() {
    return budgetBytes;
  }

  /** What one owner that is not exempt may hold. */
  public long shareBytes() {
    return shareBytes;
  }

  /**
   * What a message kept whole takes on the heap: its parsed body ({@link #heapBytes(Object)}) and a
   * copy of its binary payload.
   */
  public static long messageBytes(Map<String, Object> body, MessageFlyweight msg) {
    return heapBytes(body) + msg.binaryLength();
  }

  /**
   * A meter for a context store in {@code owner}'s account ({@link ContextStore#ContextStore(
   * ContextStore.Meter)}): its values count with the messages held by the owner's nodes.
   *
   * @param store the store's name in errors: "flow", "global" or "context"
   */
  public ContextStore.Meter contextMeter(String owner, String store) {
    return new ContextMeter(new Hold(owner, store), store);
  }

  /**
   * The meters of flow stores ({@link ContextMeters}): each in its flow's owner's account, by
   * {@code owners} (null: every flow the one owner "").
   */
  public ContextMeters flowMeters(FlowOwners owners) {
    return flowId -> contextMeter(owners == null ? null : owners.ownerOf(flowId), "flow");
  }

  /**
   * A meter for a store of the node of {@code context}'s own (a function node's {@code context}),
   * in its flow owner's account as {@link #hold} finds it.
   */
  public static ContextStore.Meter contextMeter(NodeContext context, String store) {
    return new ContextMeter(hold(context, store), store);
  }

  /** A context store's values in a {@link Hold}. */
  private static final class ContextMeter implements ContextStore.Meter {
    /** A key's entry in the store's maps, beside the key and the value. */
    private static final long ENTRY_BYTES = 96;

    /** Most characters of a key an error quotes. */
    private static final int KEY_CHARS = 40;

    private final Hold hold;
    private final String store;

    ContextMeter(Hold hold, String store) {
      this.hold = hold;
      this.store = store;
    }

    @Override
    public long bytes(String key, Object value) {
      return ENTRY_BYTES + heapBytes(key) + heapBytes(value);
    }

    @Override
    public boolean tryTake(long bytes) {
      return hold.tryTake(bytes);
    }

    @Override
    public void give(long bytes) {
      hold.give(bytes);
    }

    @Override
    public String refusal(String key, long bytes) {
      String quoted = key.length() > KEY_CHARS ? key.substring(0, KEY_CHARS) + "..." : key;
      return store
          + ".set('"
          + quoted
          + "'): storing this value ("
          + MemoryBudget.mib(bytes)
          + " more on the heap) would take "
          + hold.past(bytes)
          + "; nothing stored (the key keeps its value)";
    }
  }

  /**
   * An estimate of the heap a parsed JSON value takes (maps, lists, strings, numbers and booleans,
   * byte arrays), on a 64-bit JVM with compressed references: small values cost many times their
   * JSON text ({@code {}} three bytes, an empty map some sixty), and a string a byte a character,
   * two when one is not Latin-1. Values must not share parts (a parsed body never does).
   */
  public static long heapBytes(Object value) {
    long bytes = 0;
    ArrayDeque<Object> todo = new ArrayDeque<>();
    if (value != null) {
      todo.push(value);
    }
    while (!todo.isEmpty()) {
      Object next = todo.pop();
      switch (next) {
        case String text -> bytes += 40 + textBytes(text);
        case Map<?, ?> map -> {
          bytes += 64 + 40L * map.size();
          for (Map.Entry<?, ?> entry : map.entrySet()) {
            push(todo, entry.getKey());
            push(todo, entry.getValue());
          }
        }
        case Collection<?> items -> {
          bytes += 40 + 8L * items.size();
          for (Object item : items) {
            push(todo, item);
          }
        }
        case byte[] array -> bytes += 16 + array.length;
        default -> bytes += 24;
      }
    }
    return bytes;
  }

  private static void push(ArrayDeque<Object> todo, Object value) {
    if (value != null) {
      todo.push(value);
    }
  }

  private static long textBytes(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0xFF) {
        return 2L * text.length();
      }
    }
    return text.length();
  }

  /**
   * What one node holds, in its owner's account. Thread-safe (a node's timers may give back while
   * its worker takes).
   */
  public final class Hold {
    private final String owner;
    private final String what;
    private final AtomicLong account;
    private final AtomicLong mine = new AtomicLong();

    // the owner's exemption as last asked, and when (see recheck)
    private volatile boolean exempt;
    private volatile long limitBytes;
    private volatile long checkedNs;

    /**
     * @param owner the flow owner, null or "" for flows of no owner (one account)
     */
    private Hold(String owner, String what) {
      this.owner = owner == null ? "" : owner;
      this.what = what;
      this.account = byOwner.computeIfAbsent(this.owner, any -> new AtomicLong());
      ask(System.nanoTime());
    }

    private void ask(long nowNs) {
      boolean answer = HeldMemory.this.exempt.test(owner);
      limitBytes = answer ? budgetBytes : shareBytes;
      exempt = answer;
      checkedNs = nowNs;
    }

    /**
     * Asks again whether the owner is exempt when the last answer is older than the recheck
     * interval: a store or a node lives as long as its flow (a user's global store as long as the
     * server), and the owner's role may change meanwhile.
     */
    private void recheck() {
      long now = System.nanoTime();
      if (now - checkedNs >= exemptRecheckNs) {
        ask(now);
      }
    }

    /**
     * Takes {@code bytes} unless that takes the owner past their share (or the budget, when exempt)
     * or every owner together past the budget. A change of what the node holds may be given as it
     * is: none, or less ({@code bytes} 0 or negative, given back), always succeeds, even for an
     * owner above a share that shrank when they stopped being exempt.
     *
     * @return whether the bytes were taken (nothing changed otherwise)
     */
    public boolean tryTake(long bytes) {
      if (bytes <= 0) {
        give(-bytes);
        return true;
      }
      recheck();
      long limit = limitBytes;
      long held;
      do {
        held = account.get();
        if (held + bytes > limit) {
          return false;
        }
      } while (!account.compareAndSet(held, held + bytes));
      long all;
      do {
        all = heldBytes.get();
        if (all + bytes > budgetBytes) {
          account.addAndGet(-bytes);
          return false;
        }
      } while (!heldBytes.compareAndSet(all, all + bytes));
      mine.addAndGet(bytes);
      return true;
    }

    /**
     * {@link #tryTake}, or throws the node's error when there is no room.
     *
     * @throws IllegalStateException the {@link #refusal}: the node's error, the message dropped,
     *     what the node holds kept
     */
    public void take(long bytes) {
      if (!tryTake(bytes)) {
        throw new IllegalStateException(refusal(bytes));
      }
    }

    /** Gives back {@code bytes} taken before. */
    public void give(long bytes) {
      mine.addAndGet(-bytes);
      account.addAndGet(-bytes);
      heldBytes.addAndGet(-bytes);
    }

    /** Gives back everything this node holds: when it stops, or drops all it kept. */
    public void giveAll() {
      give(mine.get());
    }

    /** What this node's owner may hold: their share, or the server's budget when exempt. */
    public long limitBytes() {
      recheck();
      return limitBytes;
    }

    /** What this node holds now. */
    public long heldBytes() {
      return mine.get();
    }

    /**
     * Why {@code bytes} more were refused, as of now, for the node's error: the owner's share, or
     * the server's budget. Never names another owner.
     */
    public String refusal(long bytes) {
      return what
          + ": holding this message ("
          + MemoryBudget.mib(bytes)
          + " on the heap) would take "
          + past(bytes)
          + "; message dropped (what the node holds is kept)";
    }

    /**
     * Whose room {@code bytes} more would take past, as of now: "owner 'x' past its share ..." or
     * "the server past its heap budget ...".
     */
    public String past(long bytes) {
      long held = account.get();
      if (!exempt && held + bytes > limitBytes) {
        return "owner '"
            + owner
            + "' past its share of the heap for held messages and context values: "
            + MemoryBudget.mib(held)
            + " of "
            + MemoryBudget.mib(limitBytes)
            + " held by its nodes";
      }
      return "the server past its heap budget for held messages and context values"
          + " (Z8_HELD_BUDGET_MB): "
          + MemoryBudget.mib(heldBytes.get())
          + " of "
          + MemoryBudget.mib(budgetBytes)
          + " held";
    }
  }
}
