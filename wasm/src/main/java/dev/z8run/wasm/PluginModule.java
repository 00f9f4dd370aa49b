package dev.z8run.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A checked and compiled plugin: its manifest, its parsed module and the machine factory its
 * instances run on. Loading refuses, with a message naming the plugin, bytes that are not wasm, a
 * module without z8run's exports, an import the manifest does not grant and a memory that starts
 * above the manifest's page limit. Immutable and thread-safe; instances are built from it.
 */
public final class PluginModule {
  private static final byte[] WASM_MAGIC = {0x00, 0x61, 0x73, 0x6d};

  private final PluginManifest manifest;
  private final WasmModule module;
  private final MemoryLimits memoryLimits;
  private final Function<Instance, Machine> machines;
  private final ExecutionMode mode;
  private final PluginManifest.Capabilities granted;
  private final PluginCeiling.HostGate httpGate;
  private final AtomicLong instancesBuilt = new AtomicLong();

  private PluginModule(
      PluginManifest manifest,
      WasmModule module,
      MemoryLimits memoryLimits,
      Function<Instance, Machine> machines,
      ExecutionMode mode,
      PluginCeiling ceiling) {
    this.manifest = manifest;
    this.granted = ceiling.grant(manifest.capabilities());
    this.httpGate = ceiling.http();
    this.module = module;
    this.memoryLimits = memoryLimits;
    this.machines = machines;
    this.mode = mode;
  }

  /**
   * Parses, checks and compiles a plugin, then builds one instance to prove it links and starts.
   *
   * @throws PluginException naming the plugin and what is wrong with it
   */
  public static PluginModule load(PluginManifest manifest, byte[] wasm, ExecutionMode mode)
      throws PluginException {
    return load(manifest, wasm, mode, PluginCeiling.asAsked());
  }

  /**
   * As {@link #load(PluginManifest, byte[], ExecutionMode)}, granted what {@code ceiling} allows of
   * what the manifest asks.
   */
  public static PluginModule load(
      PluginManifest manifest, byte[] wasm, ExecutionMode mode, PluginCeiling ceiling)
      throws PluginException {
    String what = "plugin '" + manifest.name() + "'";
    if (wasm == null || wasm.length < 8 || !java.util.Arrays.equals(wasm, 0, 4, WASM_MAGIC, 0, 4)) {
      throw new PluginException(
          what + " is not a WebAssembly module: it does not start with \\0asm");
    }
    WasmModule module;
    try {
      module = Parser.parse(wasm);
    } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new PluginException(what + " is not a valid WebAssembly module: " + e.getMessage(), e);
    }
    HostImports.check(manifest.name(), module, manifest.capabilities());
    requireExport(what, module, "memory", ExternalType.MEMORY);
    requireExport(what, module, "z8_alloc", ExternalType.FUNCTION);
    requireExport(what, module, "z8_process", ExternalType.FUNCTION);
    MemoryLimits declared =
        module.memorySection().orElseThrow().getMemory(0).limits(); // present: memory is exported
    int limit = manifest.limits().memoryPages();
    if (declared.initialPages() > limit) {
      throw new PluginException(
          what
              + " starts with "
              + declared.initialPages()
              + " memory pages, more than its limit memory_pages = "
              + limit);
    }
    MemoryLimits limits =
        new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), limit));
    Function<Instance, Machine> machines;
    try {
      machines =
          mode == ExecutionMode.COMPILED
              ? MachineFactoryCompiler.builder(module)
                  .withInterpreterFallback(InterpreterFallback.SILENT)
                  .compile()
              : null;
    } catch (ChicoryException | IllegalStateException e) {
      throw new PluginException(what + " could not be compiled: " + e.getMessage(), e);
    }
    PluginModule loaded = new PluginModule(manifest, module, limits, machines, mode, ceiling);
    loaded.instantiate(PluginInstance.NO_HOST).close();
    return loaded;
  }

  private static void requireExport(String what, WasmModule module, String name, ExternalType type)
      throws PluginException {
    var exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals(name)) {
        if (exports.getExport(i).exportType() != type) {
          throw new PluginException(what + " exports '" + name + "' but not as a " + type);
        }
        return;
      }
    }
    throw new PluginException(
        what + " does not export '" + name + "' (z8run's ABI: memory, z8_alloc, z8_process)");
  }

  public PluginManifest manifest() {
    return manifest;
  }

  /** What the plugin was granted: the intersection of its manifest and the operator's ceiling. */
  public PluginManifest.Capabilities granted() {
    return granted;
  }

  /** The outbound policy its {@code z8.http_request} calls obey. */
  PluginCeiling.HostGate httpGate() {
    return httpGate;
  }

  public String name() {
    return manifest.name();
  }

  public ExecutionMode mode() {
    return mode;
  }

  /** How many instances have been built so far, the one built at load included. */
  public long instancesBuilt() {
    return instancesBuilt.get();
  }

  /** The memory limits instances get: the module's initial pages, at most the manifest's pages. */
  public MemoryLimits memoryLimits() {
    return memoryLimits;
  }

  /**
   * A new instance of its own, outside any node: {@code z8.log} and the context functions do
   * nothing. For embedding and benchmarks; nodes pool theirs.
   *
   * @throws PluginException if it fails to link or its start function fails
   */
  public PluginInstance newInstance() throws PluginException {
    return instantiate(PluginInstance.NO_HOST);
  }

  /**
   * A new instance whose host functions act for {@code host}. Runs the module's start function
   * under the time limit.
   *
   * @throws PluginException if it fails to link or its start function fails
   */
  PluginInstance instantiate(PluginHost host) throws PluginException {
    instancesBuilt.incrementAndGet();
    ImportValues imports =
        ImportValues.builder().withFunctions(HostImports.functions(this, host)).build();
    CallWatchdog.Slot slot = new CallWatchdog.Slot();
    Instance.Builder builder =
        Instance.builder(module).withImportValues(imports).withMemoryLimits(memoryLimits);
    if (machines != null) {
      builder.withMachineFactory(machines);
    }
    Instance instance = null;
    Throwable failure = null;
    slot.begin(manifest.limits().timeoutMs());
    try {
      instance = builder.build();
    } catch (RuntimeException | StackOverflowError e) {
      failure = e;
    }
    boolean expired = slot.end();
    if (failure != null || expired) {
      throw PluginInstance.failure(this, "instantiation", failure, expired, null);
    }
    return new PluginInstance(this, instance, slot);
  }
}
