package dev.z8run.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import java.nio.charset.StandardCharsets;

/**
 * One running instance of a plugin, reused message after message. A call goes through z8run's ABI:
 *
 * <pre>
 *   in  = z8_alloc(len)                  the host writes the input's len bytes at in
 *   res = z8_process(in, len)            res points at the result in the plugin's memory:
 *         +----------------+------------------------------------------+
 *         | u32 LE length  | length bytes of UTF-8 JSON [{port,payload}] |
 *         +----------------+------------------------------------------+
 *   z8_dealloc(res, 4 + length); z8_dealloc(in, len)   (when exported)
 * </pre>
 *
 * Every pointer and length the plugin returns is checked against its memory and the manifest's
 * {@code max_result_bytes} before a byte is read. The whole call runs under the manifest's time
 * limit. After any failure the instance is {@linkplain #broken() broken} and must be dropped: its
 * memory and globals may be half-updated.
 *
 * <p>Not thread-safe: one call at a time. Nodes get theirs from a pool; {@link
 * PluginModule#newInstance()} gives one for embedding and benchmarks.
 */
public final class PluginInstance implements AutoCloseable {
  /** The host of instances that never run a message (the trial instance built at load). */
  static final PluginHost NO_HOST =
      new PluginHost() {
        @Override
        public void log(String line) {}

        @Override
        public byte[] contextGet(String key) {
          return null;
        }

        @Override
        public void contextSet(String key, byte[] json) {}

        @Override
        public String env(String name) {
          return null;
        }
      };

  private final PluginModule module;
  private final Instance instance;
  private final CallWatchdog.Slot slot;
  private final Memory memory;
  private final ExportFunction alloc;
  private final ExportFunction process;
  private final ExportFunction dealloc;
  private final ExportFunction configure;
  private final ExportFunction validate;
  private final long timeoutMs;
  private final int maxResultBytes;
  private boolean broken;

  PluginInstance(PluginModule module, Instance instance, CallWatchdog.Slot slot) {
    this.module = module;
    this.instance = instance;
    this.slot = slot;
    this.memory = instance.memory();
    this.alloc = instance.export("z8_alloc");
    this.process = instance.export("z8_process");
    this.dealloc = optional(instance, "z8_dealloc");
    this.configure = optional(instance, "z8_configure");
    this.validate = optional(instance, "z8_validate");
    this.timeoutMs = module.manifest().limits().timeoutMs();
    this.maxResultBytes = module.manifest().limits().maxResultBytes();
  }

  private static ExportFunction optional(Instance instance, String name) {
    var exports = instance.module().exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals(name)) {
        return instance.export(name);
      }
    }
    return null;
  }

  /**
   * Runs {@code z8_process} on {@code input} (UTF-8 JSON) and returns the result's JSON bytes.
   *
   * @throws PluginException saying why: time limit, trap, a pointer or length out of bounds, a
   *     result too large, a refused host call
   */
  public byte[] process(byte[] input) throws PluginException {
    return guarded(
        "z8_process",
        () -> {
          int in = write(input);
          int res = (int) process.apply(in, input.length)[0];
          byte[] result = read(res);
          if (dealloc != null) {
            dealloc.apply(res, result.length + 4L);
            dealloc.apply(in, input.length);
          }
          return result;
        });
  }

  /** Runs {@code z8_configure} with the node's config JSON; 0 (or no such export) means ok. */
  int configure(byte[] configJson) throws PluginException {
    if (configure == null) {
      return 0;
    }
    return guarded(
        "z8_configure",
        () -> {
          int in = write(configJson);
          int status = (int) configure.apply(in, configJson.length)[0];
          if (dealloc != null) {
            dealloc.apply(in, configJson.length);
          }
          return status;
        });
  }

  /** Runs {@code z8_validate}; 0 (or no such export) means the configured node is valid. */
  int validate() throws PluginException {
    if (validate == null) {
      return 0;
    }
    return guarded("z8_validate", () -> (int) validate.apply()[0]);
  }

  /** One call into the guest: what it returns, or a reason it failed. */
  @FunctionalInterface
  private interface GuestCall<T> {
    T run() throws PluginException;
  }

  /**
   * Runs {@code call} (into export {@code function}) under the time limit. A call that fails or
   * runs out of time marks the instance broken: its memory may be half-updated.
   *
   * @throws PluginException saying why: time limit, trap, a pointer or length out of bounds, a
   *     result too large, a refused host call
   */
  private <T> T guarded(String function, GuestCall<T> call) throws PluginException {
    slot.begin(timeoutMs);
    T result = null;
    Throwable failure = null;
    try {
      result = call.run();
    } catch (Exception | StackOverflowError e) {
      failure = e;
    }
    boolean expired = slot.end();
    if (failure != null || expired) {
      broken = true;
      throw failure(module, function, failure, expired, memory);
    }
    return result;
  }

  private int write(byte[] input) throws PluginException {
    int ptr = (int) alloc.apply(input.length)[0];
    checkRange("z8_alloc(" + input.length + ") returned", ptr, input.length);
    memory.write(ptr, input);
    return ptr;
  }

  private byte[] read(int ptr) throws PluginException {
    checkRange("z8_process returned result pointer", ptr, 4);
    long length = Integer.toUnsignedLong(memory.readInt(ptr));
    if (length > maxResultBytes) {
      throw new PluginException(
          "plugin '"
              + module.name()
              + "' returned a result of "
              + length
              + " bytes, more than its limit max_result_bytes = "
              + maxResultBytes);
    }
    checkRange("z8_process result at", ptr + 4, length);
    return memory.readBytes(ptr + 4, (int) length);
  }

  private void checkRange(String what, int ptr, long length) throws PluginException {
    long size = (long) memory.pages() * Memory.PAGE_SIZE;
    long start = Integer.toUnsignedLong(ptr);
    if (start + length > size) {
      throw new PluginException(
          "plugin '"
              + module.name()
              + "' "
              + what
              + " 0x"
              + Long.toHexString(start)
              + " (+"
              + length
              + " bytes), outside its memory of "
              + size
              + " bytes");
    }
  }

  /** Whether a call failed: the instance's state can no longer be trusted. */
  public boolean broken() {
    return broken;
  }

  /** Memory pages the instance has now. */
  int memoryPages() {
    return memory.pages();
  }

  @Override
  public void close() {
    broken = true;
  }

  /** The error for a failed call, saying which limit or fault stopped it. */
  static PluginException failure(
      PluginModule module, String function, Throwable cause, boolean expired, Memory memory) {
    String what = "plugin '" + module.name() + "'";
    if (expired) {
      return new PluginException(
          what
              + " ran past its time limit timeout_ms = "
              + module.manifest().limits().timeoutMs()
              + " in "
              + function
              + " and was interrupted",
          cause);
    }
    if (cause instanceof PluginException e) {
      return e;
    }
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof HostImports.HostCallException e) {
        return new PluginException(what + " host call failed: " + e.getMessage(), e);
      }
    }
    if (cause instanceof StackOverflowError e) {
      return new PluginException(what + " exhausted the stack in " + function, e);
    }
    if (cause instanceof ChicoryInterruptedException e) {
      return new PluginException(what + " was interrupted in " + function, e);
    }
    String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    String note = "";
    int limit = module.memoryLimits().maximumPages();
    if (memory != null && memory.pages() >= limit) {
      note = " (its memory is at its limit memory_pages = " + limit + "; memory.grow was refused)";
    }
    if (cause instanceof ChicoryException) {
      return new PluginException(what + " trapped in " + function + ": " + reason + note, cause);
    }
    return new PluginException(what + " failed in " + function + ": " + reason + note, cause);
  }

  @Override
  public String toString() {
    return "PluginInstance[" + module.name() + "]";
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
