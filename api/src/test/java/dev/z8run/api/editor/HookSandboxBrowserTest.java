package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of {@code HookSandboxAttackTest} in a real browser: a signed-in editor keeps its token
 * in {@code localStorage}; a page a flow serves under {@code /hook} on the same origin tries to
 * read it and to call the API. The sandbox makes the page's origin opaque: the read throws, the API
 * call is a cross-origin request the API does not allow, and the page still reads its own hook's
 * answer.
 */
@Tag("browser")
class HookSandboxBrowserTest {
  private static final String NODES =
      """
      [{"id":"page-in","type":"http-in","config":{"method":"GET","path":"/page","mode":"node-red"}},
       {"id":"page","type":"template","config":{"field":"payload","template":
         "<script>var r, t = null; try { t = localStorage.getItem('z8.token'); r = 'read:' + (t ? 'token' : 'none'); } catch (e) { r = 'blocked:' + e.name; } fetch('/api/v1/flows', {headers: {authorization: 'Bearer ' + t}}).then(function (a) { return 'api:' + a.status; }, function () { return 'api:error'; }).then(function (api) { return fetch('closed').then(function (h) { return h.text(); }).then(function (t) { return api + ' closed:' + t; }, function () { return api + ' closed:error'; }); }).then(function (before) { return fetch('open').then(function (h) { return h.text(); }).then(function (t) { return before + ' open:' + t; }, function () { return before + ' open:error'; }); }).then(function (all) { document.title = r + ' ' + all; });</script>"}},
       {"id":"closed-in","type":"http-in","config":{"method":"GET","path":"/closed","mode":"node-red"}},
       {"id":"open-in","type":"http-in","config":{"method":"GET","path":"/open","mode":"node-red"}},
       {"id":"data","type":"template","config":{"field":"payload","template":"data-ok"}},
       {"id":"open-data","type":"template","config":{"field":"payload","template":"data-ok"}},
       {"id":"open-out","type":"http-out","config":{"headers":{"Access-Control-Allow-Origin":"*"}}},
       {"id":"page-out","type":"http-out","config":{"headers":{"Content-Type":"text/html"}}},
       {"id":"out","type":"http-out","config":{}}]
      """;
  private static final String WIRES =
      """
      [{"from":"page-in","to":"page"},{"from":"page","to":"page-out"},
       {"from":"closed-in","to":"data"},{"from":"data","to":"out"},
       {"from":"open-in","to":"open-data"},{"from":"open-data","to":"open-out"}]
      """;

  @TempDir Path dataDir;

  @Test
  void shouldKeepTheEditorsTokenFromAScriptOfAHookPage() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      String flow = session.newFlow("steal", NODES, WIRES);
      session.request("POST", "/api/v1/flows/" + flow + "/start", token, null, 200);
      session.openSignedIn(token, "");
      assertEquals(token, session.js("return localStorage.getItem('z8.token');"));

      session.driver.get(session.base + "/hook/" + flow + "/page");
      String title = session.await(d -> d.getTitle().isEmpty() ? null : d.getTitle());
      // the token unreadable, the API refused to the page; its own hook readable only where the
      // flow
      // allows it (Access-Control-Allow-Origin), as for any other site's page
      assertEquals("blocked:SecurityError api:error closed:error open:data-ok", title);
    }
  }
}
