package dev.z8run.store.lmdb;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The handful of LMDB's C functions the store calls, bound through jffi's low-level invoker (JNI
 * and libffi: no classes generated, no reflection, on every JDK from 21).
 *
 * <p>Why not lmdbjava's own binding: it goes through jnr-ffi, which at a process's first LMDB calls
 * builds an invoker per function from its Java interface (annotations read through dynamic proxies,
 * type mappers, a finalizer thread started by reflection: ~35 generated classes no AOT cache can
 * hold) and was the longest serial step of a server's start (perf/README.md, "h25 start"). The
 * library itself is still lmdbjava's: the one it bundles for this platform, extracted to a
 * temporary file, or the file named by the {@code lmdbjava.native.lib} property (as lmdbjava reads
 * it).
 *
 * <p>Pointers are {@code long}s; {@code MDB_val} is two words ({@code mv_size}, {@code mv_data})
 * written and read through {@link MemoryIO}. Each call returns LMDB's code: 0 success, else one of
 * the {@code MDB_*} codes below or an {@code errno}. Thread-safe (stateless past its static
 * initialisation).
 */
final class LmdbLibrary {
  /** {@code mdb_env_open}: commit without syncing (the caller syncs). */
  static final int MDB_NOSYNC = 0x10000;

  /** {@code mdb_env_open}: read transactions not tied to a thread (virtual threads read). */
  static final int MDB_NOTLS = 0x200000;

  /** {@code mdb_txn_begin}: a read-only transaction. */
  static final int MDB_RDONLY = 0x20000;

  /** {@code mdb_dbi_open}: create the named database if absent. */
  static final int MDB_CREATE = 0x40000;

  /** {@code mdb_put}: fail with {@link #MDB_KEYEXIST} instead of replacing. */
  static final int MDB_NOOVERWRITE = 0x10;

  static final int MDB_KEYEXIST = -30799;
  static final int MDB_NOTFOUND = -30798;
  static final int MDB_MAP_FULL = -30792;

  /** {@code MDB_cursor_op} values. */
  static final int MDB_FIRST = 0;

  static final int MDB_LAST = 6;
  static final int MDB_NEXT = 8;
  static final int MDB_PREV = 12;
  static final int MDB_SET_RANGE = 17;

  /** Bytes of an {@code MDB_val}: {@code size_t mv_size; void *mv_data}. */
  static final int VAL_BYTES = 16;

  /** Bytes of an {@code MDB_envinfo}; {@code me_mapsize} is its second word. */
  static final int ENVINFO_BYTES = 48;

  static final int ENVINFO_MAPSIZE_OFFSET = 8;

  /** Bytes of an {@code MDB_stat}; {@code ms_entries} is its last word. */
  static final int STAT_BYTES = 48;

  static final int STAT_ENTRIES_OFFSET = 32;

  static final MemoryIO MEMORY = MemoryIO.getInstance();
  private static final Invoker INVOKER = Invoker.getInstance();

  private static final Function ENV_CREATE;
  private static final Function ENV_SET_MAPSIZE;
  private static final Function ENV_SET_MAXDBS;
  private static final Function ENV_SET_MAXREADERS;
  private static final Function ENV_OPEN;
  private static final Function ENV_CLOSE;
  private static final Function ENV_SYNC;
  private static final Function ENV_INFO;
  private static final Function ENV_GET_MAXKEYSIZE;
  private static final Function TXN_BEGIN;
  private static final Function TXN_COMMIT;
  private static final Function TXN_ABORT;
  private static final Function DBI_OPEN;
  private static final Function STAT;
  private static final Function GET;
  private static final Function PUT;
  private static final Function DEL;
  private static final Function CURSOR_OPEN;
  private static final Function CURSOR_CLOSE;
  private static final Function CURSOR_GET;
  private static final Function STRERROR;

  static {
    String given = System.getProperty("lmdbjava.native.lib");
    Path extracted = given == null ? extract() : null;
    Library library =
        Library.openLibrary(
            given != null ? given : extracted.toString(), Library.NOW | Library.LOCAL);
    if (extracted != null) {
      // loaded: the mapping stays, and no copy is left behind by a process that is killed
      try {
        Files.deleteIfExists(extracted);
      } catch (IOException leftForDeleteOnExit) {
        // deleteOnExit has it
      }
    }
    if (library == null) {
      throw new UnsatisfiedLinkError("cannot load LMDB: " + Library.getLastError());
    }
    Type p = Type.POINTER;
    Type i = Type.SINT32;
    Type u = Type.UINT32;
    ENV_CREATE = function(library, "mdb_env_create", i, p);
    ENV_SET_MAPSIZE = function(library, "mdb_env_set_mapsize", i, p, Type.UINT64);
    ENV_SET_MAXDBS = function(library, "mdb_env_set_maxdbs", i, p, u);
    ENV_SET_MAXREADERS = function(library, "mdb_env_set_maxreaders", i, p, u);
    ENV_OPEN = function(library, "mdb_env_open", i, p, p, u, u);
    ENV_CLOSE = function(library, "mdb_env_close", Type.VOID, p);
    ENV_SYNC = function(library, "mdb_env_sync", i, p, i);
    ENV_INFO = function(library, "mdb_env_info", i, p, p);
    ENV_GET_MAXKEYSIZE = function(library, "mdb_env_get_maxkeysize", i, p);
    TXN_BEGIN = function(library, "mdb_txn_begin", i, p, p, u, p);
    TXN_COMMIT = function(library, "mdb_txn_commit", i, p);
    TXN_ABORT = function(library, "mdb_txn_abort", Type.VOID, p);
    DBI_OPEN = function(library, "mdb_dbi_open", i, p, p, u, p);
    STAT = function(library, "mdb_stat", i, p, u, p);
    GET = function(library, "mdb_get", i, p, u, p, p);
    PUT = function(library, "mdb_put", i, p, u, p, p, u);
    DEL = function(library, "mdb_del", i, p, u, p, p);
    CURSOR_OPEN = function(library, "mdb_cursor_open", i, p, u, p);
    CURSOR_CLOSE = function(library, "mdb_cursor_close", Type.VOID, p);
    CURSOR_GET = function(library, "mdb_cursor_get", i, p, p, p, u);
    STRERROR = function(library, "mdb_strerror", p, i);
  }

  private LmdbLibrary() {}

  /** Loads the library and binds its functions, if not done yet (a spare thread at start). */
  static void load() {
    // the static initialiser did it
  }

  static int envCreate(long envOut) {
    return call(ENV_CREATE, envOut);
  }

  static int envSetMapSize(long env, long bytes) {
    return call(ENV_SET_MAPSIZE, env, bytes);
  }

  static int envSetMaxDbs(long env, int dbs) {
    return call(ENV_SET_MAXDBS, env, dbs);
  }

  static int envSetMaxReaders(long env, int readers) {
    return call(ENV_SET_MAXREADERS, env, readers);
  }

  static int envOpen(long env, long pathCString, int flags, int mode) {
    return call(ENV_OPEN, env, pathCString, flags, mode);
  }

  static void envClose(long env) {
    call(ENV_CLOSE, env);
  }

  static int envSync(long env, boolean force) {
    return call(ENV_SYNC, env, force ? 1 : 0);
  }

  static int envInfo(long env, long envInfoOut) {
    return call(ENV_INFO, env, envInfoOut);
  }

  static int envMaxKeySize(long env) {
    return call(ENV_GET_MAXKEYSIZE, env);
  }

  static int txnBegin(long env, int flags, long txnOut) {
    return call(TXN_BEGIN, env, 0L, flags, txnOut);
  }

  static int txnCommit(long txn) {
    return call(TXN_COMMIT, txn);
  }

  static void txnAbort(long txn) {
    call(TXN_ABORT, txn);
  }

  static int dbiOpen(long txn, long nameCString, int flags, long dbiOut) {
    return call(DBI_OPEN, txn, nameCString, flags, dbiOut);
  }

  static int stat(long txn, int dbi, long statOut) {
    return call(STAT, txn, dbi, statOut);
  }

  static int get(long txn, int dbi, long keyVal, long dataValOut) {
    return call(GET, txn, dbi, keyVal, dataValOut);
  }

  static int put(long txn, int dbi, long keyVal, long dataVal, int flags) {
    return call(PUT, txn, dbi, keyVal, dataVal, flags);
  }

  static int del(long txn, int dbi, long keyVal) {
    return call(DEL, txn, dbi, keyVal, 0L);
  }

  static int cursorOpen(long txn, int dbi, long cursorOut) {
    return call(CURSOR_OPEN, txn, dbi, cursorOut);
  }

  static void cursorClose(long cursor) {
    call(CURSOR_CLOSE, cursor);
  }

  static int cursorGet(long cursor, long keyVal, long dataVal, int op) {
    return call(CURSOR_GET, cursor, keyVal, dataVal, op);
  }

  /** LMDB's text for {@code code} (its own codes and {@code errno}s). */
  static String strerror(int code) {
    long text = INVOKER.invokeN1(STRERROR.getCallContext(), STRERROR.getFunctionAddress(), code);
    return text == 0
        ? "error " + code
        : new String(MEMORY.getZeroTerminatedByteArray(text), StandardCharsets.UTF_8);
  }

  /** A NUL-terminated copy of {@code text} in memory from {@link MemoryIO#allocateMemory}. */
  static long cString(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    long address = MEMORY.allocateMemory(bytes.length + 1L, true);
    if (address == 0) {
      throw new OutOfMemoryError("cannot allocate " + (bytes.length + 1) + " bytes");
    }
    MEMORY.putByteArray(address, bytes, 0, bytes.length);
    return address;
  }

  private static int call(Function function, long a) {
    return (int) INVOKER.invokeN1(context(function), function.getFunctionAddress(), a);
  }

  private static int call(Function function, long a, long b) {
    return (int) INVOKER.invokeN2(context(function), function.getFunctionAddress(), a, b);
  }

  private static int call(Function function, long a, long b, long c) {
    return (int) INVOKER.invokeN3(context(function), function.getFunctionAddress(), a, b, c);
  }

  private static int call(Function function, long a, long b, long c, long d) {
    return (int) INVOKER.invokeN4(context(function), function.getFunctionAddress(), a, b, c, d);
  }

  private static int call(Function function, long a, long b, long c, long d, long e) {
    return (int) INVOKER.invokeN5(context(function), function.getFunctionAddress(), a, b, c, d, e);
  }

  private static CallContext context(Function function) {
    return function.getCallContext();
  }

  private static Function function(Library library, String name, Type returns, Type... params) {
    long address = library.getSymbolAddress(name);
    if (address == 0) {
      throw new UnsatisfiedLinkError("LMDB has no function " + name);
    }
    return new Function(address, returns, params);
  }

  /** lmdbjava's bundled library for this platform, copied to a temporary file. */
  private static Path extract() {
    String resource = "org/lmdbjava/" + arch() + "-" + os() + ".so";
    try (InputStream in = LmdbLibrary.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new UnsatisfiedLinkError("no bundled LMDB for this platform (" + resource + ")");
      }
      Path file = Files.createTempFile("z8run-lmdb-", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      UnsatisfiedLinkError failed = new UnsatisfiedLinkError("cannot extract " + resource);
      failed.initCause(e);
      throw failed;
    }
  }

  private static String arch() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    return arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
  }

  private static String os() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    return os.startsWith("mac") ? "macos-none" : "linux-gnu";
  }
}
