package dev.z8run.io.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap memory the engine may hand out, as one budget for the server and a share of it per
 * owner: what a deployed flow reserves (its rings and execution table) and the blocks of its bodies
 * in flight ({@link BodyBlocks}) are counted in its owner's {@link Account}, and every account
 * together in the budget. A reservation that would take its account past the owner's limit, or all
 * accounts past the budget, is refused before anything is allocated.
 *
 * <p>An owner's limit is the share ({@code shareBytes}) unless the owner is exempt (the server's
 * admins; flows deployed without an owner), then the whole budget: one owner cannot hold more than
 * the share however many flows or bodies it has, so the rest stays for the others.
 *
 * <p>Thread-safe and lock-free: a reservation is two compare-and-set loops (the account, then the
 * budget), a release two subtractions. Accounts are made once per owner and kept (one per user).
 */
public final class MemoryBudget {
  private final long budgetBytes;
  private final long shareBytes;
  private final AtomicLong reserved = new AtomicLong();
  private final ConcurrentHashMap<String, Account> byOwner = new ConcurrentHashMap<>();

  /** Accounts by {@link Account#id()}; index 0 is "no account". Grows under {@code this}. */
  private volatile Account[] byId = new Account[16];

  private int accounts;

  /**
   * @param budgetBytes what all accounts together may reserve
   * @param shareBytes what one account that is not exempt may reserve (at most the budget)
   */
  public MemoryBudget(long budgetBytes, long shareBytes) {
    if (budgetBytes <= 0 || shareBytes <= 0) {
      throw new IllegalArgumentException(
          "budgetBytes=" + budgetBytes + " and shareBytes=" + shareBytes + " must be positive");
    }
    this.budgetBytes = budgetBytes;
    this.shareBytes = Math.min(shareBytes, budgetBytes);
  }

  /**
   * The account of {@code owner}, made at the first call; {@code exempt} (limited by the budget
   * only) is set on every call, so a change of role applies from the owner's next deploy on.
   */
  public Account account(String owner, boolean exempt) {
    Account account = byOwner.get(owner);
    if (account == null) {
      account = byOwner.computeIfAbsent(owner, this::newAccount);
    }
    account.exempt = exempt;
    return account;
  }

  private synchronized Account newAccount(String owner) {
    int id = ++accounts;
    Account account = new Account(owner, id);
    Account[] table = byId;
    if (id >= table.length) {
      table = Arrays.copyOf(table, table.length * 2);
    }
    table[id] = account;
    byId = table;
    return account;
  }

  /** The account with this {@link Account#id()}, or null for 0 (none). */
  Account account(int id) {
    return id == 0 ? null : byId[id];
  }

  /** What all accounts together may reserve. */
  public long budgetBytes() {
    return budgetBytes;
  }

  /** What one account that is not exempt may reserve. */
  public long shareBytes() {
    return shareBytes;
  }

  /** What all accounts reserve now. */
  public long reservedBytes() {
    return reserved.get();
  }

  /** Every account made so far (owners with nothing reserved included). */
  public List<Account> accounts() {
    return new ArrayList<>(byOwner.values());
  }

  /** One owner's part of the budget. */
  public final class Account {
    private final String owner;
    private final int id;
    private final AtomicLong reservedBytes = new AtomicLong();
    private final AtomicLong blockBytes = new AtomicLong();
    private volatile boolean exempt;

    private Account(String owner, int id) {
      this.owner = owner;
      this.id = id;
    }

    public String owner() {
      return owner;
    }

    /** A small number naming this account inside its budget (1, 2, ...): what a block records. */
    public int id() {
      return id;
    }

    /** Whether the owner is limited by the budget only, not by the share. */
    public boolean exempt() {
      return exempt;
    }

    /** The most this account may reserve: the share, or the budget when exempt. */
    public long limitBytes() {
      return exempt ? budgetBytes : shareBytes;
    }

    /** What this account reserves now: rings, tables and body blocks. */
    public long reservedBytes() {
      return reservedBytes.get();
    }

    /** The part of {@link #reservedBytes()} that body blocks in flight hold. */
    public long blockBytes() {
      return blockBytes.get();
    }

    /** The budget this account is part of. */
    public MemoryBudget budget() {
      return MemoryBudget.this;
    }

    /**
     * Reserves {@code bytes} unless that takes this account past {@link #limitBytes()} or all
     * accounts past the budget.
     *
     * @return whether the bytes were reserved (nothing changed otherwise)
     */
    public boolean tryReserve(long bytes) {
      long limit = limitBytes();
      long mine;
      do {
        mine = reservedBytes.get();
        if (mine + bytes > limit) {
          return false;
        }
      } while (!reservedBytes.compareAndSet(mine, mine + bytes));
      long all;
      do {
        all = reserved.get();
        if (all + bytes > budgetBytes) {
          reservedBytes.addAndGet(-bytes);
          return false;
        }
      } while (!reserved.compareAndSet(all, all + bytes));
      return true;
    }

    /**
     * Reserves {@code bytes} whatever the limits: to restore what was just released (a redeploy
     * whose new version was refused keeps the old one's reservation).
     */
    public void reserve(long bytes) {
      reservedBytes.addAndGet(bytes);
      reserved.addAndGet(bytes);
    }

    /** Gives back {@code bytes} reserved before. */
    public void release(long bytes) {
      reservedBytes.addAndGet(-bytes);
      reserved.addAndGet(-bytes);
    }

    boolean tryReserveBlock(long bytes) {
      if (!tryReserve(bytes)) {
        return false;
      }
      blockBytes.addAndGet(bytes);
      return true;
    }

    void releaseBlock(long bytes) {
      blockBytes.addAndGet(-bytes);
      release(bytes);
    }

    /**
     * Why {@code bytes} more were refused, as of now: this account's limit, or the budget.
     *
     * @param what what asked, for the message ("a message body of 64.0 MiB")
     */
    public String refusal(String what, long bytes) {
      long mine = reservedBytes();
      if (mine + bytes > limitBytes()) {
        return what
            + " would take owner '"
            + owner
            + "' past its share of off-heap memory: "
            + mib(mine)
            + " of "
            + mib(limitBytes())
            + " in use ("
            + mib(blockBytes())
            + " by message bodies in flight)";
      }
      return what
          + " would take the server past its off-heap memory budget: "
          + mib(reserved.get())
          + " of "
          + mib(budgetBytes)
          + " in use";
    }
  }

  /** {@code bytes} in MiB with one decimal, for messages. */
  public static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** A body block refused because its owner's share or the budget is used up. */
  public static final class ExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExceededException(String message) {
      super(message);
    }
  }
}
