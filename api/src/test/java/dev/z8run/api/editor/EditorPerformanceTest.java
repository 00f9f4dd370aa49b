package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures, does not assert: how long the editor takes to open a 1,000-node / 1,200-wire flow in
 * headless Chromium (navigation start to the first frame with every node and wire drawn, the whole
 * flow in view; and to the end of the last long task after it), and the frame rate of a two-second
 * pan across it once settled. Prints the figures and writes them to {@code
 * api/target/editor-perf.txt}.
 *
 * <p>Tagged {@code perf}, outside {@code bin/test}; run with {@code bin/test -pl api -am
 * -Dz8.excluded.groups= -Dtest=EditorPerformanceTest -Dsurefire.failIfNoSpecifiedTests=false
 * -DskipITs}.
 */
@Tag("browser")
@Tag("perf")
class EditorPerformanceTest {
  private static final int NODES = 1000;
  private static final int WIRES = 1200;

  @TempDir Path dataDir;

  @Test
  void shouldReportOpenTimeAndPanFrameRateOfALargeFlow() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow(largeFlow());
      session.openSignedIn(token, "#/flows");
      StringBuilder report = new StringBuilder();
      for (int run = 1; run <= 3; run++) {
        session.driver.get(session.base + "/#/flow/big");
        session.driver.navigate().refresh();
        Object openMs =
            session.driver.executeAsyncScript(
                """
                const done = arguments[arguments.length - 1];
                const check = () => {
                  // zoomed out, the nodes are drawn on the overview canvas instead of mounted
                  const overview = document.querySelector("[data-testid='overview']");
                  const drawn = Math.max(document.querySelectorAll('.react-flow__node').length,
                    overview ? Number(overview.dataset.drawn || 0) : 0);
                  if (window.__z8LoadedAt && drawn >= arguments[0]) {
                    requestAnimationFrame(() => done(performance.now()));
                  } else requestAnimationFrame(check);
                };
                check();
                """
                    .replace("arguments[0]", Integer.toString(NODES)));
        assertEquals(NODES, session.docNodes().size());
        // settled: the end of the last main-thread task over 50 ms, once 1 s passes without one
        Object settledMs =
            session.driver.executeAsyncScript(
                """
                const done = arguments[arguments.length - 1];
                let last = performance.now();
                let settled = last;
                const observer = new PerformanceObserver((l) => {
                  for (const e of l.getEntries()) settled = Math.max(settled, e.startTime + e.duration);
                  last = performance.now();
                });
                observer.observe({ type: 'longtask', buffered: true });
                const check = () => {
                  if (performance.now() - last > 1000) { observer.disconnect(); done(settled); }
                  else setTimeout(check, 100);
                };
                check();
                """);
        Map<String, Object> pan = pan(session, 0);
        Map<String, Object> zoomedIn = pan(session, 1);
        String line =
            String.format(
                Locale.ROOT,
                "run %d: %d nodes / %d wires drawn %.0f ms after navigation start, settled at %.0f"
                    + " ms; then pan %.1f frames/s with the whole flow in view (worst frame %.0f ms,"
                    + " longest task %.0f ms), %.1f frames/s at zoom 1 (worst frame %.0f ms)%n",
                run,
                NODES,
                WIRES,
                ((Number) openMs).doubleValue(),
                ((Number) settledMs).doubleValue(),
                ((Number) pan.get("fps")).doubleValue(),
                ((Number) pan.get("worstFrameMs")).doubleValue(),
                ((Number) pan.get("longestTaskMs")).doubleValue(),
                ((Number) zoomedIn.get("fps")).doubleValue(),
                ((Number) zoomedIn.get("worstFrameMs")).doubleValue());
        report.append(line);
        System.out.print(line);
      }
      Files.writeString(Path.of("target/editor-perf.txt"), report);
    }
  }

  /**
   * The client's half of "10,000 debug messages/s keep the tab responsive": DEBUG_SAMPLE frames
   * built in the page, 100 per WebSocket-sized batch every 10 ms for 10 s, handed to the editor's
   * connection as the server's messages would be. Reports the longest main-thread task and the JS
   * heap before and after. (The server's rate limit, 200 samples/s per client by default, means a
   * real tab sees far fewer.)
   */
  @Test
  void shouldReportMainThreadAndHeapUnderADebugFlood() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow(
          "{\"id\":\"flood\",\"nodes\":[{\"id\":\"d\",\"type\":\"debug\"}],\"wires\":[]}");
      session.openSignedIn(token, "#/flow/flood");
      session.node("d");
      @SuppressWarnings("unchecked")
      Map<String, Object> flood =
          (Map<String, Object>)
              session.driver.executeAsyncScript(
                  """
                  const done = arguments[arguments.length - 1];
                  const enc = new TextEncoder();
                  const str16 = (s) => { const b = enc.encode(s); const out = new Uint8Array(2 + b.length);
                    new DataView(out.buffer).setUint16(0, b.length, true); out.set(b, 2); return out; };
                  const sample = (i) => {
                    const flow = str16('flood'), node = str16('d');
                    const preview = enc.encode(JSON.stringify({ payload: { i, text: 'message ' + i }, topic: 't' }));
                    const len = flow.length + node.length + 8 + 8 + 1 + 4 + 4 + preview.length;
                    const frame = new Uint8Array(11 + len); const v = new DataView(frame.buffer);
                    v.setUint8(0, 1); v.setUint16(1, 0x0305, true); v.setUint32(3, 0, true); v.setUint32(7, len, true);
                    let p = 11; frame.set(flow, p); p += flow.length; frame.set(node, p); p += node.length;
                    v.setBigUint64(p, BigInt(i), true); p += 8; v.setBigUint64(p, BigInt(Date.now()), true); p += 8;
                    v.setUint8(p, 0); p += 1; v.setUint32(p, preview.length, true); p += 4;
                    v.setUint32(p, preview.length, true); p += 4; frame.set(preview, p);
                    return frame;
                  };
                  let longest = 0;
                  const observer = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
                  observer.observe({ type: 'longtask' });
                  const heapBefore = performance.memory ? performance.memory.usedJSHeapSize : 0;
                  let sent = 0;
                  let heapAt2s = 0;
                  const t0 = performance.now();
                  const timer = setInterval(() => {
                    const frames = [];
                    for (let k = 0; k < 100; k++) frames.push(sample(sent++));
                    const total = frames.reduce((n, f) => n + f.length, 0);
                    const batch = new Uint8Array(total); let o = 0;
                    for (const f of frames) { batch.set(f, o); o += f.length; }
                    window.__z8Engine.receive(batch.buffer);
                    if (!heapAt2s && performance.now() - t0 >= 2000 && performance.memory) heapAt2s = performance.memory.usedJSHeapSize;
                    if (performance.now() - t0 >= 10000) {
                      clearInterval(timer);
                      setTimeout(() => {
                        observer.disconnect();
                        done({ sent, seconds: (performance.now() - t0) / 1000, longest,
                               kept: window.__z8Editor.debug.size,
                               heapBeforeMb: heapBefore / 1048576,
                               heapAt2sMb: heapAt2s / 1048576,
                               heapAfterMb: (performance.memory ? performance.memory.usedJSHeapSize : 0) / 1048576 });
                      }, 500);
                    }
                  }, 10);
                  """);
      String line =
          String.format(
              Locale.ROOT,
              "debug flood: %d samples in %.1f s (%.0f/s), %d kept in the panel; longest main-thread"
                  + " task %.0f ms; JS heap %.1f MB before, %.1f MB after 2 s (the 10,000-entry ring"
                  + " full), %.1f MB after 10 s%n",
              ((Number) flood.get("sent")).longValue(),
              ((Number) flood.get("seconds")).doubleValue(),
              ((Number) flood.get("sent")).doubleValue()
                  / ((Number) flood.get("seconds")).doubleValue(),
              ((Number) flood.get("kept")).longValue(),
              ((Number) flood.get("longest")).doubleValue(),
              ((Number) flood.get("heapBeforeMb")).doubleValue(),
              ((Number) flood.get("heapAt2sMb")).doubleValue(),
              ((Number) flood.get("heapAfterMb")).doubleValue());
      System.out.print(line);
      Files.writeString(Path.of("target/editor-perf-flood.txt"), line);
    }
  }

  /**
   * The whole path under load: an {@code http-in -> debug + http-out} flow driven through {@code
   * /hook} by 32 concurrent clients for 10 s, the editor open on it and subscribed over {@code
   * /ws/engine}. Reports the messages/s the flow handled, what the panel received and what the
   * server reported skipped (its per-client rate limit), the longest main-thread task and the heap.
   */
  @Test
  void shouldReportTheTabUnderALoadedFlow() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.createFlow(
          """
          {"id":"busy","name":"Busy","nodes":[
            {"id":"in","type":"http-in","x":100,"y":100,"config":{"method":"GET","path":"/p"}},
            {"id":"see","type":"debug","x":400,"y":60,"config":{}},
            {"id":"out","type":"http-out","x":400,"y":160,"config":{}}],
           "wires":[{"from":"in","fromPort":0,"to":"see","toPort":0},
                    {"from":"in","fromPort":0,"to":"out","toPort":0}]}
          """);
      session.request("POST", "/api/v1/flows/busy/start", token, null, 200);
      session.openSignedIn(token, "#/flow/busy");
      session.await(d -> "live".equals(session.find("live-state").getText()));
      LongAdder answered = new LongAdder();
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest get = HttpRequest.newBuilder(URI.create(session.base + "/hook/busy/p")).build();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        clients.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (System.nanoTime() < end) {
                        try {
                          http.send(get, HttpResponse.BodyHandlers.discarding());
                          answered.increment();
                        } catch (IOException e) {
                          return;
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                          return;
                        }
                      }
                    }));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> tab =
          (Map<String, Object>)
              session.driver.executeAsyncScript(
                  """
                  const done = arguments[arguments.length - 1];
                  let longest = 0;
                  const observer = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
                  observer.observe({ type: 'longtask' });
                  const debug = window.__z8Editor.debug;
                  const heap = () => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : 0);
                  const before = heap();
                  let at2s = 0;
                  setTimeout(() => { at2s = heap(); }, 2000);
                  setTimeout(() => {
                    observer.disconnect();
                    done({ longest, received: debug.received, skipped: debug.skipped, before, at2s, after: heap() });
                  }, 10000);
                  """);
      for (Thread client : clients) {
        client.join();
      }
      http.close();
      String line =
          String.format(
              Locale.ROOT,
              "loaded flow: %.0f messages/s through http-in -> debug for 10 s; the panel received"
                  + " %d samples, the server reported %d skipped; longest main-thread task %.0f ms;"
                  + " JS heap %.1f / %.1f / %.1f MB at 0 / 2 / 10 s%n",
              answered.sum() / 10.0,
              ((Number) tab.get("received")).longValue(),
              ((Number) tab.get("skipped")).longValue(),
              ((Number) tab.get("longest")).doubleValue(),
              ((Number) tab.get("before")).doubleValue(),
              ((Number) tab.get("at2s")).doubleValue(),
              ((Number) tab.get("after")).doubleValue());
      System.out.print(line);
      Files.writeString(Path.of("target/editor-perf-loaded.txt"), line);
    }
  }

  /**
   * Pans the canvas for 2 s (at {@code zoom}; 0: as it is) and answers {fps, worstFrameMs,
   * longestTaskMs}.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> pan(EditorSession session, int zoom) {
    return (Map<String, Object>)
        session.driver.executeAsyncScript(
            """
                        const done = arguments[arguments.length - 1];
                        const flow = window.__z8Editor.flow;
                        const start = flow.getViewport();
                        if (arguments[0]) { start.zoom = arguments[0]; }
                        let longest = 0;
                        const observer = new PerformanceObserver((list) => {
                          for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
                        });
                        observer.observe({ type: 'longtask' });
                        let frames = 0;
                        let worst = 0;
                        const t0 = performance.now();
                        let last = t0;
                        const step = (now) => {
                          frames++;
                          worst = Math.max(worst, now - last);
                          last = now;
                          const t = now - t0;
                          flow.setViewport({ x: start.x - t * 0.5, y: start.y - t * 0.1, zoom: start.zoom });
                          if (t < 2000) requestAnimationFrame(step);
                          else {
                            observer.disconnect();
                            done({ fps: frames * 1000 / t, worstFrameMs: worst, longestTaskMs: longest });
                          }
                        };
                        requestAnimationFrame(step);
                        """,
            zoom);
  }

  /** Junctions on a 40-column grid; each wired to the next, plus forward wires: acyclic. */
  private static String largeFlow() {
    StringBuilder json = new StringBuilder("{\"id\":\"big\",\"name\":\"Big\",\"nodes\":[");
    for (int i = 0; i < NODES; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":\"n")
          .append(i)
          .append("\",\"type\":\"junction\",\"x\":")
          .append((i % 40) * 200)
          .append(",\"y\":")
          .append((i / 40) * 90)
          .append("}");
    }
    json.append("],\"wires\":[");
    int wires = 0;
    for (int i = 0; i + 1 < NODES; i++, wires++) {
      json.append(wires == 0 ? "" : ",").append(wire(i, i + 1));
    }
    for (int i = 0; wires < WIRES; i += 3, wires++) {
      json.append(",").append(wire(i, Math.min(NODES - 1, i + 41)));
    }
    return json.append("]}").toString();
  }

  private static String wire(int from, int to) {
    return "{\"from\":\"n" + from + "\",\"fromPort\":0,\"to\":\"n" + to + "\",\"toPort\":0}";
  }
}
