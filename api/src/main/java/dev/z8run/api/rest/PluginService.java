package dev.z8run.api.rest;

import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.JsonBody;
import dev.z8run.api.http.NoContent;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.PluginStore;
import dev.z8run.store.PluginStore.StoredPlugin;
import dev.z8run.store.UserStore;
import dev.z8run.wasm.PluginException;
import dev.z8run.wasm.PluginManifest;
import dev.z8run.wasm.PluginModule;
import dev.z8run.wasm.Plugins;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/plugins}: WebAssembly plugins, installed server-wide. An installed plugin is a
 * node type in {@code /api/v1/nodes} like a built-in, and is kept in the store and installed again
 * when the server starts.
 *
 * <pre>
 *   GET    /api/v1/plugins          -&gt; 200 {"plugins":[plugin...],"total":n,"ceiling":{...}}
 *   POST   /api/v1/plugins          {"manifest": {...} | "TOML text", "module": "base64 wasm"}
 *                                    -&gt; 201 plugin, 400 refused (the reason), 409 name taken,
 *                                       403 not an admin
 *   GET    /api/v1/plugins/{name}   -&gt; 200 plugin, 404
 *   DELETE /api/v1/plugins/{name}   -&gt; 204, 404, 403 not an admin
 *   plugin = {"name","version","description","category","inputs","outputs","capabilities",
 *             "limits","config","granted","mode","module_bytes","installed_at_ms"}
 * </pre>
 *
 * <p>Only admins install or remove plugins: a plugin runs host code for every flow on the server.
 * {@code capabilities} is what the manifest asks, {@code granted} what it got within the operator's
 * ceiling ({@link dev.z8run.wasm.PluginCeiling}), which the listing shows too.
 *
 * <p>The body must fit {@code maxBodyBytes} (413 beyond): base64 makes a module a third larger.
 * Threading: handlers run on Helidon's virtual threads; install compiles the module there.
 */
public final class PluginService implements HttpService {
  private static final System.Logger LOG = System.getLogger(PluginService.class.getName());
  private static final List<String> FIELDS = List.of("manifest", "module");

  private final Plugins plugins;
  private final PluginStore store;
  private final NodeTypeRegistry registry;
  private final InstantSource clock;
  private final int maxBodyBytes;
  private final UserStore users;

  public PluginService(
      UserStore users,
      Plugins plugins,
      PluginStore store,
      NodeTypeRegistry registry,
      InstantSource clock,
      int maxBodyBytes) {
    this.users = users;
    this.plugins = plugins;
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Installs every stored plugin into {@code plugins}; one that is refused now (a newer manifest
   * rule, a name a built-in took) is logged and left in the store. Returns how many loaded.
   */
  public static int restore(Plugins plugins, PluginStore store) {
    int loaded = 0;
    for (StoredPlugin stored : store.all()) {
      try {
        plugins.install(stored.manifest(), stored.module());
        loaded++;
      } catch (PluginException refused) {
        LOG.log(Level.WARNING, "stored plugin not loaded: " + refused.getMessage());
      }
    }
    return loaded;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::list)
        .post("/", this::install)
        .get("/{name}", this::get)
        .delete("/{name}", this::remove);
  }

  private void list(ServerRequest request, ServerResponse response) {
    List<Object> list = new ArrayList<>();
    for (PluginModule module : plugins.list()) {
      list.add(describe(module));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("plugins", list);
    body.put("total", list.size());
    body.put("ceiling", plugins.ceiling().toMap());
    send(response, body);
  }

  private void install(ServerRequest request, ServerResponse response) {
    Admins.require(request, users, "install a plugin");
    JsonBody body = JsonBody.read(request, maxBodyBytes, FIELDS);
    Object manifestValue = body.value("manifest");
    String manifest =
        switch (manifestValue) {
          case String toml -> toml;
          case Map<?, ?> json -> JsonCodec.writeString(json);
          case null -> throw JsonBody.badRequest("field 'manifest' is required");
          default ->
              throw JsonBody.badRequest(
                  "field 'manifest' must be a JSON object or TOML text, got "
                      + JsonCodec.describe(manifestValue));
        };
    byte[] module;
    try {
      module = Base64.getDecoder().decode(body.requiredString("module"));
    } catch (IllegalArgumentException notBase64) {
      throw JsonBody.badRequest("field 'module' is not base64: " + notBase64.getMessage());
    }
    String name;
    try {
      name = PluginManifest.parse(manifest).name();
    } catch (PluginException refused) {
      throw JsonBody.badRequest(refused.getMessage());
    }
    if (registry.contains(name)) {
      throw new ApiException(
          Status.CONFLICT_409,
          "node type '"
              + name
              + "' already exists"
              + (plugins.find(name) != null ? "; remove the plugin first" : " (a built-in)"));
    }
    PluginModule installed;
    try {
      installed = plugins.install(manifest, module);
    } catch (PluginException refused) {
      throw JsonBody.badRequest(refused.getMessage());
    }
    try {
      store.put(new StoredPlugin(name, manifest, module, clock.millis()));
    } catch (RuntimeException notStored) {
      plugins.remove(name);
      throw notStored;
    }
    response.status(Status.CREATED_201);
    send(response, describe(installed));
  }

  private void get(ServerRequest request, ServerResponse response) {
    String name = request.path().pathParameters().get("name");
    PluginModule module = plugins.find(name);
    if (module == null) {
      throw ApiException.notFound("no plugin '" + name + "'");
    }
    send(response, describe(module));
  }

  private void remove(ServerRequest request, ServerResponse response) {
    Admins.require(request, users, "remove a plugin");
    String name = request.path().pathParameters().get("name");
    if (!plugins.remove(name)) {
      throw ApiException.notFound("no plugin '" + name + "'");
    }
    store.delete(name);
    response.status(Status.NO_CONTENT_204);
    NoContent.send(response);
  }

  private Map<String, Object> describe(PluginModule module) {
    Map<String, Object> map = new LinkedHashMap<>(module.manifest().toMap());
    map.put("granted", module.granted().toMap());
    map.put("mode", module.mode().name().toLowerCase(java.util.Locale.ROOT));
    store
        .find(module.name())
        .ifPresent(
            stored -> {
              map.put("module_bytes", stored.module().length);
              map.put("installed_at_ms", stored.installedAtMs());
            });
    return map;
  }

  private static void send(ServerResponse response, Object body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(JsonCodec.write(body));
  }
}
