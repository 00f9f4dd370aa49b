package dev.z8run.wasm;

import dev.z8run.core.registry.NodeTypeRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The installed plugins of one engine: installing one checks and compiles it and adds its node type
 * to the registry, where the palette, the validator and the planner find it like a built-in.
 * Removing one takes the type out of the registry; flows already running keep their nodes until
 * they stop, and cannot be deployed again without the plugin.
 *
 * <p>Persistence is the caller's (the server keeps manifests and modules in LMDB and installs them
 * again at start). Thread-safe.
 */
public final class Plugins {
  private final NodeTypeRegistry registry;
  private final ExecutionMode mode;
  private final PluginContextStore contexts;
  private final PluginCeiling ceiling;
  private final Map<String, PluginModule> installed = new ConcurrentHashMap<>();

  /** Plugins granted what their manifests ask (but never a {@code Z8_} variable). */
  public Plugins(NodeTypeRegistry registry, ExecutionMode mode, PluginContextStore contexts) {
    this(registry, mode, contexts, PluginCeiling.asAsked());
  }

  /** Plugins granted the intersection of what their manifests ask and {@code ceiling}. */
  public Plugins(
      NodeTypeRegistry registry,
      ExecutionMode mode,
      PluginContextStore contexts,
      PluginCeiling ceiling) {
    this.registry = registry;
    this.mode = mode;
    this.contexts = contexts;
    this.ceiling = ceiling;
  }

  /** The operator's ceiling on what plugins are granted. */
  public PluginCeiling ceiling() {
    return ceiling;
  }

  /**
   * Checks, compiles and registers a plugin.
   *
   * @param manifestText the manifest, TOML or JSON
   * @param wasm the module's bytes
   * @throws PluginException if the manifest or module is refused, or its name is taken by a
   *     built-in node type or another plugin
   */
  public PluginModule install(String manifestText, byte[] wasm) throws PluginException {
    PluginManifest manifest = PluginManifest.parse(manifestText);
    if (registry.contains(manifest.name())) {
      throw new PluginException(
          "plugin '"
              + manifest.name()
              + "': a node type of that name is already registered"
              + (installed.containsKey(manifest.name()) ? " (this plugin; remove it first)" : ""));
    }
    PluginModule module = PluginModule.load(manifest, wasm, mode, ceiling);
    synchronized (this) {
      try {
        registry.register(PluginNode.type(module, contexts));
      } catch (IllegalArgumentException e) {
        throw new PluginException("plugin '" + manifest.name() + "': " + e.getMessage(), e);
      }
      installed.put(manifest.name(), module);
    }
    return module;
  }

  /** Unregisters plugin {@code name}; returns whether it was installed. */
  public synchronized boolean remove(String name) {
    if (installed.remove(name) == null) {
      return false;
    }
    registry.unregister(name);
    return true;
  }

  /** The plugin called {@code name}, or null. */
  public PluginModule find(String name) {
    return installed.get(name);
  }

  /** Every installed plugin, by name. */
  public List<PluginModule> list() {
    List<PluginModule> list = new ArrayList<>(installed.values());
    list.sort(Comparator.comparing(PluginModule::name));
    return list;
  }
}
