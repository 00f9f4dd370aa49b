package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.frame.CountersEncoder;
import dev.z8run.io.frame.EventEncoder;
import dev.z8run.io.frame.FrameEncoder;
import dev.z8run.io.frame.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The editor's binary protocol client (editor/web/src/protocol.js) in Chromium, held against the
 * server's codec ({@code dev.z8run.io.frame}): events the Java encoders write, batched into one
 * WebSocket message, decode to the same values in the browser; frames the browser writes are the
 * bytes docs/protocol.md shows; and decoded events reach the debug panel and the node badges. The
 * endpoint itself is not needed: the bytes are handed to the client as a WebSocket message would.
 */
@Tag("browser")
class EditorProtocolTest extends EditorSession.Shared {
  @BeforeAll
  static void openTheLiveFlow() throws Exception {
    session.createFlow(
        """
        {"id":"live","name":"Live","nodes":[
          {"id":"go","type":"inject","x":100,"y":100},
          {"id":"first","type":"debug","x":400,"y":100}],
         "wires":[{"from":"go","fromPort":0,"to":"first","toPort":0}]}
        """);
    session.openSignedIn(token, "#/flow/live");
    session.find("editor");
    session.node("first");
  }

  @Test
  void shouldDecodeEveryEventLayoutTheServerEncodes() {
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    byte[] preview = "{\"payload\":{\"n\":1},\"topic\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
    int p = 0;
    p +=
        EventEncoder.debugSample(
            buffer,
            p,
            "live",
            "first",
            -1L,
            1_700_000_000_123L,
            true,
            5000,
            new UnsafeBuffer(preview),
            0,
            preview.length);
    p += EventEncoder.nodeStatus(buffer, p, "live", "first", "connected");
    p +=
        new CountersEncoder()
            .wrap(buffer, p, "live")
            .addEntry("first", 5, 4, 1, 0, 2, 3, 1_500, 250_000)
            .finish();
    p +=
        EventEncoder.nodeEvent(
            buffer, p, MessageType.NODE_COMPLETED, new EventEncoder.Origin("live", 7, "go"), 1500);
    p += EventEncoder.executionCompleted(buffer, p, "live", 7, 99_000);
    p +=
        EventEncoder.failure(
            buffer, p, MessageType.NODE_ERROR, new EventEncoder.Origin("live", 8, "first"), "boom");
    p += EventEncoder.debugSkipped(buffer, p, "live", 17);
    p += FrameEncoder.encodeEmpty(buffer, p, 0x0399, 0); // a type this client does not know
    String batch = Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.byteArray(), p));

    Object decoded =
        session.js(
            """
            const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
            const { view, frames } = window.__z8Protocol.splitFrames(bytes.buffer);
            return frames.map((f) => JSON.stringify(
                window.__z8Protocol.decodeEvent(f.msgType, view, f.offset, f.length),
                (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
            """,
            batch);
    assertEquals(
        List.of(
            "{\"kind\":\"debug\",\"flowId\":\"live\",\"nodeId\":\"first\",\"executionId\":\"18446744073709551615\","
                + "\"timestampMs\":1700000000123,\"truncated\":true,\"originalLen\":5000,"
                + "\"preview\":\"{\\\"payload\\\":{\\\"n\\\":1},\\\"topic\\\":\\\"ü\\\"}\"}",
            "{\"kind\":\"status\",\"flowId\":\"live\",\"nodeId\":\"first\",\"text\":\"connected\"}",
            "{\"kind\":\"counters\",\"flowId\":\"live\",\"nodes\":[{\"nodeId\":\"first\",\"in\":5,\"out\":4,"
                + "\"errors\":1,\"drops\":0,\"queued\":2,\"samples\":3,\"p50Ns\":1500,\"p99Ns\":250000}]}",
            "{\"kind\":\"node-event\",\"msgType\":514,\"flowId\":\"live\",\"executionId\":\"7\",\"nodeId\":\"go\","
                + "\"value\":\"1500\"}",
            "{\"kind\":\"completed\",\"flowId\":\"live\",\"executionId\":\"7\",\"durationNs\":\"99000\"}",
            "{\"kind\":\"node-error\",\"flowId\":\"live\",\"executionId\":\"8\",\"nodeId\":\"first\",\"error\":\"boom\"}",
            "{\"kind\":\"skipped\",\"flowId\":\"live\",\"skipped\":17}",
            "null"),
        decoded);

    // the same message handed to the editor's connection: the panel and the badge show it
    session.js(
        "window.__z8Engine.receive(Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0)).buffer);",
        batch);
    // the sample, then the node's error (node errors and warnings join the debug stream)
    session.await(d -> session.all("debug-row").size() == 2);
    assertTrue(session.all("debug-row").get(0).getText().contains("cut: 5000 bytes"));
    assertTrue(session.all("debug-row").get(1).getText().contains("✖ boom"));
    assertTrue(session.find("debug-count").getText().contains("17 skipped"));
    session.all("debug-row").get(0).click();
    assertTrue(session.find("debug-detail").getText().contains("preview cut short"));
    String badge =
        session
            .await(
                d ->
                    session
                        .node("first")
                        .findElement(By.cssSelector("[data-testid='node-status']")))
            .getText();
    assertTrue(badge.contains("boom") && badge.contains("5→4"), badge);
  }

  @Test
  void shouldWriteTheFramesTheProtocolDocumentShows() {
    // docs/protocol.md, "Worked examples": PING id 1, and HELLO id 1 {"versions":[1]}
    assertEquals(
        "01 01 00 01 00 00 00 00 00 00 00",
        session.js(
            "return Array.from(window.__z8Protocol.encodeFrame(1, 1),"
                + " (b) => b.toString(16).padStart(2, '0')).join(' ');"));
    assertEquals(
        "01 05 00 01 00 00 00 10 00 00 00 7b 22 76 65 72 73 69 6f 6e 73 22 3a 5b 31 5d 7d",
        session.js(
            "return Array.from(window.__z8Protocol.encodeJsonFrame(5, 1, {versions: [1]}),"
                + " (b) => b.toString(16).padStart(2, '0')).join(' ');"));
  }

  @Test
  void shouldRefuseFramesWhoseLengthLies() {
    Object error =
        session.js(
            """
            const bytes = new Uint8Array([1, 8, 2, 0, 0, 0, 0, 200, 0, 0, 0, 2, 0]);
            try { window.__z8Protocol.splitFrames(bytes.buffer); return 'accepted'; }
            catch (e) { return e.name + ': ' + e.message; }
            """);
    assertEquals("RangeError: payload_len=200 exceeds the message", error);
  }
}
