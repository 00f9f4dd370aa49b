package dev.z8run.api.rest;

import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.JsonBody;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.LastAdminException;
import dev.z8run.store.UserRecord;
import dev.z8run.store.UserStore;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/users}: the accounts, for admins only (403 for everyone else).
 *
 * <pre>
 *   GET    /api/v1/users        -&gt; 200 {"users":[USER + "created_at"...],"total":n}
 *   PUT    /api/v1/users/{id}   {"roles":["admin","user"] | ["user"]} -&gt; 200 USER, 404, 409
 *   DELETE /api/v1/users/{id}   -&gt; 200 {"deleted": id}, 404, 409
 * </pre>
 *
 * The last admin can be neither demoted nor deleted (409): the store checks it in the same write
 * transaction, so two admins demoting each other at once cannot both succeed. A user's flows stay
 * in the store after the user is deleted (nobody can reach them until an account with that id
 * exists again, which random ids make impossible).
 */
public final class UserService implements HttpService {
  private static final List<String> FIELDS = List.of("roles");
  private static final List<String> ROLES = List.of(UserRecord.ADMIN, UserRecord.USER);

  private final UserStore users;

  public UserService(UserStore users) {
    this.users = users;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::list).put("/{id}", this::update).delete("/{id}", this::delete);
  }

  private void list(ServerRequest request, ServerResponse response) {
    Admins.require(request, users, "list users");
    List<Object> list = new ArrayList<>();
    for (UserRecord user : users.all()) {
      list.add(view(user));
    }
    send(response, Map.of("users", list, "total", list.size()));
  }

  private void update(ServerRequest request, ServerResponse response) {
    Admins.require(request, users, "change a user's roles");
    String id = request.path().pathParameters().get("id");
    JsonBody body = JsonBody.read(request, 4096, FIELDS);
    if (!(body.value("roles") instanceof List<?> given) || given.isEmpty()) {
      throw JsonBody.badRequest("field 'roles' must be a non-empty array of " + ROLES);
    }
    List<String> roles = new ArrayList<>();
    for (Object role : given) {
      if (!(role instanceof String name) || !ROLES.contains(name)) {
        throw JsonBody.badRequest(
            "unknown role " + JsonCodec.writeString(role) + "; known: " + ROLES);
      }
      if (!roles.contains(name)) {
        roles.add(name);
      }
    }
    if (!roles.contains(UserRecord.USER)) {
      roles.add(UserRecord.USER);
    }
    try {
      UserRecord user =
          users
              .setRoles(id, roles)
              .orElseThrow(() -> ApiException.notFound("no user '" + id + "'"));
      send(response, view(user));
    } catch (LastAdminException last) {
      throw new ApiException(Status.CONFLICT_409, last.getMessage());
    }
  }

  private void delete(ServerRequest request, ServerResponse response) {
    Admins.require(request, users, "delete a user");
    String id = request.path().pathParameters().get("id");
    try {
      if (!users.delete(id)) {
        throw ApiException.notFound("no user '" + id + "'");
      }
    } catch (LastAdminException last) {
      throw new ApiException(Status.CONFLICT_409, last.getMessage());
    }
    send(response, Map.of("deleted", id));
  }

  private static Map<String, Object> view(UserRecord user) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", user.id());
    map.put("email", user.email());
    map.put("username", user.username());
    map.put("roles", user.roles());
    map.put("created_at", Instant.ofEpochMilli(user.createdAtMs()).toString());
    return map;
  }

  private static void send(ServerResponse response, Object body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(JsonCodec.write(body));
  }
}
