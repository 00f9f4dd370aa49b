package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures, does not assert: how long the editor takes to open a 1,000-node / 1,200-wire flow in
 * headless Chromium (navigation start to the first frame with every node drawn, the whole flow in
 * view), and the frame rate of a two-second pan across it. Prints the figures and writes them to
 * {@code api/target/editor-perf.txt}.
 *
 * <p>Tagged {@code perf}, outside {@code bin/test}; run with {@code bin/test -pl api -am
 * -Dz8.excluded.groups=engine-ws -Dtest=EditorPerformanceTest
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs}.
 */
@Tag("perf")
class EditorPerformanceTest {
  private static final int NODES = 1000;
  private static final int WIRES = 1200;

  @TempDir Path dataDir;

  @Test
  void shouldReportOpenTimeAndPanFrameRateOfALargeFlow() throws Exception {
    try (EditorSession session = new EditorSession(dataDir)) {
      String token = session.registerByApi();
      session.request("POST", "/api/v1/flows", token, largeFlow(), 201);
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
                  const drawn = document.querySelectorAll('.react-flow__node').length;
                  if (window.__z8LoadedAt && drawn >= arguments[0]) {
                    requestAnimationFrame(() => done(performance.now()));
                  } else requestAnimationFrame(check);
                };
                check();
                """
                    .replace("arguments[0]", Integer.toString(NODES)));
        assertEquals(NODES, session.docNodes().size());
        @SuppressWarnings("unchecked")
        Map<String, Object> pan =
            (Map<String, Object>)
                session.driver.executeAsyncScript(
                    """
                        const done = arguments[arguments.length - 1];
                        const flow = window.__z8Editor.flow;
                        const start = flow.getViewport();
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
                        """);
        String line =
            String.format(
                Locale.ROOT,
                "run %d: %d nodes / %d wires open in %.0f ms; pan %.1f frames/s (worst frame %.0f"
                    + " ms, longest task %.0f ms)%n",
                run,
                NODES,
                WIRES,
                ((Number) openMs).doubleValue(),
                ((Number) pan.get("fps")).doubleValue(),
                ((Number) pan.get("worstFrameMs")).doubleValue(),
                ((Number) pan.get("longestTaskMs")).doubleValue());
        report.append(line);
        System.out.print(line);
      }
      Files.writeString(Path.of("target/editor-perf.txt"), report);
    }
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
