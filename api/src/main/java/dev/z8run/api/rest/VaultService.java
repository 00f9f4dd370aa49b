package dev.z8run.api.rest;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.http.Json;
import dev.z8run.api.http.JsonBody;
import dev.z8run.api.http.NoContent;
import dev.z8run.store.vault.Vault;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * {@code /api/v1/vault}: the signed-in user's secrets, by name. Values go in and never come out
 * through the API: nodes read them at deploy time through {@code vault:<key>} references.
 *
 * <pre>
 *   GET    /api/v1/vault        -&gt; 200 {"keys":["a","b"],"total":2}     names only, ascending
 *   POST   /api/v1/vault        {"key","value"} -&gt; 201 {"key"} new, 200 {"key"} replaced
 *   GET    /api/v1/vault/{key}  -&gt; 200 {"key","exists":true}, 404 absent  never the value
 *   DELETE /api/v1/vault/{key}  -&gt; 204, 404 absent
 * </pre>
 *
 * <p>Keys are 1..{@value Vault#MAX_NAME_CHARS} characters of {@code [A-Za-z0-9_.-]} (400 naming
 * {@code key} otherwise); values non-empty strings of at most {@value Vault#MAX_VALUE_BYTES} UTF-8
 * bytes (400 naming {@code value}). Another user's entries do not exist for the caller: 404, and
 * absent from the listing.
 *
 * <p>The whole body must fit {@code maxBodyBytes}; to accept the largest values give at least
 * {@value Vault#MAX_VALUE_BYTES} plus room for escapes and the key (e.g. 256 KiB).
 *
 * <p>Every route needs a signed-in user ({@link Authenticator} in front). Threading: handlers run
 * on Helidon's virtual threads; writes block until the store has synced.
 */
public final class VaultService implements HttpService {
  private static final List<String> ENTRY_FIELDS = List.of("key", "value");

  private final Vault vault;
  private final int maxBodyBytes;

  /**
   * @param vault the store's vault
   * @param maxBodyBytes the longest request body accepted (413 beyond)
   */
  public VaultService(Vault vault, int maxBodyBytes) {
    this.vault = Objects.requireNonNull(vault, "vault");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes=" + maxBodyBytes + " must be positive");
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::list)
        .post("/", this::store)
        .get("/{key}", this::exists)
        .delete("/{key}", this::delete);
  }

  private void list(ServerRequest request, ServerResponse response) {
    List<String> keys = vault.list(owner(request));
    sendJson(
        response,
        Json.bytes(
            json -> {
              json.writeStartObject();
              json.writeArrayFieldStart("keys");
              for (String key : keys) {
                json.writeString(key);
              }
              json.writeEndArray();
              json.writeNumberField("total", keys.size());
              json.writeEndObject();
            }));
  }

  private void store(ServerRequest request, ServerResponse response) {
    JsonBody body = JsonBody.read(request, maxBodyBytes, ENTRY_FIELDS);
    String key = requireValidKey(body.requiredString("key"));
    String value = body.requiredString("value");
    if (value.isEmpty()) {
      throw JsonBody.badRequest("field 'value' must not be empty");
    }
    int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (valueBytes > Vault.MAX_VALUE_BYTES) {
      throw JsonBody.badRequest(
          "field 'value' is "
              + valueBytes
              + " bytes in UTF-8; the limit is "
              + Vault.MAX_VALUE_BYTES);
    }
    String owner = owner(request);
    // the listing, not get(): it decrypts nothing, and a damaged entry can still be replaced
    boolean replacing = vault.list(owner).contains(key);
    vault.put(owner, key, value);
    response.status(replacing ? Status.OK_200 : Status.CREATED_201);
    sendJson(response, keyBody(key, false));
  }

  private void exists(ServerRequest request, ServerResponse response) {
    String key = pathKey(request);
    if (!vault.list(owner(request)).contains(key)) {
      throw notFound(key);
    }
    sendJson(response, keyBody(key, true));
  }

  private void delete(ServerRequest request, ServerResponse response) {
    String key = pathKey(request);
    if (!vault.delete(owner(request), key)) {
      throw notFound(key);
    }
    response.status(Status.NO_CONTENT_204);
    NoContent.send(response);
  }

  private static String owner(ServerRequest request) {
    return Authenticator.user(request).userId();
  }

  private static String pathKey(ServerRequest request) {
    return requireValidKey(request.path().pathParameters().get("key"));
  }

  private static String requireValidKey(String key) {
    try {
      Vault.requireValidName(key);
    } catch (IllegalArgumentException invalid) {
      throw JsonBody.badRequest("field 'key': " + invalid.getMessage());
    }
    return key;
  }

  private static NotFoundException notFound(String key) {
    return new NotFoundException("no vault entry '" + key + "'");
  }

  private static byte[] keyBody(String key, boolean withExists) {
    return Json.bytes(
        json -> {
          json.writeStartObject();
          json.writeStringField("key", key);
          if (withExists) {
            json.writeBooleanField("exists", true);
          }
          json.writeEndObject();
        });
  }

  private static void sendJson(ServerResponse response, byte[] body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body);
  }
}
