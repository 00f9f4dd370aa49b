package dev.z8run.api.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.TestTools;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real server (port 0, a temporary data directory) and a headless Debian Chromium driven by
 * Selenium through Debian's chromedriver, both paths given ({@link TestTools}) so that Selenium
 * Manager never runs. Closing stops both and deletes nothing the caller owns.
 */
final class EditorSession implements AutoCloseable {
  static final String SECRET = "an-editor-test-secret-long-enough-for-hs256";
  static final String USER = "alice";
  static final String PASSWORD = "correct horse battery";

  final Z8Server server;
  final ChromeDriver driver;
  final String base;
  private final Path profile;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The token {@link #registerByApi} got, for {@link #createFlow}. */
  private String token;

  EditorSession(Path dataDir) throws IOException {
    this(dataDir, Map.of());
  }

  /** A session whose server has {@code settings} besides the data directory and JWT secret. */
  EditorSession(Path dataDir, Map<String, String> settings) throws IOException {
    Map<String, String> all = new java.util.HashMap<>(settings);
    all.put("Z8_DATA_DIR", dataDir.toString());
    all.put("Z8_JWT_SECRET", SECRET);
    server = Main.start(TestSettings.ephemeral(all));
    base = "http://127.0.0.1:" + server.port();
    profile = Files.createTempDirectory("z8-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(TestTools.chromium().toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1400,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(TestTools.chromedriver().toFile())
            .build();
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException failed) {
      server.close();
      throw failed;
    }
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
  }

  /** Registers the first user over HTTP and answers the token. */
  String registerByApi() throws Exception {
    Map<?, ?> answer =
        (Map<?, ?>)
            JsonCodec.parse(
                request(
                    "POST",
                    "/auth/register",
                    null,
                    "{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}",
                    201));
    token = (String) answer.get("token");
    return token;
  }

  /** Saves a new flow ({@code document}, JSON) as the registered user; it must be accepted. */
  void createFlow(String document) throws Exception {
    request("POST", "/api/v1/flows", token, document, 201);
  }

  /**
   * Saves a new flow named {@code name} with {@code nodes} and {@code wires} (JSON arrays) under a
   * fresh id, and answers the id.
   */
  String newFlow(String name, String nodes, String wires) throws Exception {
    String id = "f" + Long.toHexString(System.nanoTime());
    createFlow(flowDocument(id, name, nodes, wires));
    return id;
  }

  /** A flow document: {@code nodes} and {@code wires} are JSON arrays. */
  static String flowDocument(String id, String name, String nodes, String wires) {
    return "{\"id\":\""
        + id
        + "\",\"name\":\""
        + name
        + "\",\"nodes\":"
        + nodes
        + ",\"wires\":"
        + wires
        + "}";
  }

  /** Opens the editor at {@code hash} signed in with {@code token} (stored as the page does). */
  void openSignedIn(String token, String hash) {
    driver.get(base + "/");
    js(
        "localStorage.setItem('z8.token', arguments[0]); location.hash = arguments[1];",
        token,
        hash);
    driver.navigate().refresh();
  }

  String request(String method, String path, String token, String body, int expected)
      throws Exception {
    HttpRequest.Builder builder = TestRequests.json(method, base + path, body, token);
    HttpResponse<String> response =
        http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
    return response.body();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  <T> T await(Function<WebDriver, T> condition) {
    // a React re-render between finding an element and reading it is retried, like a missing one
    return new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  WebElement find(String testId) {
    return await(d -> d.findElement(By.cssSelector("[data-testid='" + testId + "']")));
  }

  List<WebElement> all(String testId) {
    return driver.findElements(By.cssSelector("[data-testid='" + testId + "']"));
  }

  WebElement node(String nodeId) {
    return await(d -> d.findElement(By.cssSelector(".react-flow__node[data-id='" + nodeId + "']")));
  }

  /** The editor's current flow document, read from the page's model. */
  @SuppressWarnings("unchecked")
  Map<String, Object> doc() {
    return (Map<String, Object>) js("return window.__z8Editor.doc();");
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> docNodes() {
    return (List<Map<String, Object>>) doc().get("nodes");
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> docWires() {
    return (List<Map<String, Object>>) doc().get("wires");
  }

  /** Drags a palette entry onto the canvas at viewport point (x, y); answers the new node's id. */
  String dragFromPalette(String type, int x, int y) {
    await(d -> js("return window.__z8Editor && window.__z8Editor.doc();") != null);
    int before = docNodes().size();
    WebElement item =
        find("palette")
            .findElement(By.cssSelector("[data-testid='palette-item'][data-type='" + type + "']"));
    js("arguments[0].scrollIntoView({block: 'center'});", item);
    new Actions(driver)
        .moveToElement(item)
        .clickAndHold()
        .pause(Duration.ofMillis(50))
        .moveByOffset(20, 0)
        .pause(Duration.ofMillis(50))
        .moveToLocation(x, y)
        .pause(Duration.ofMillis(50))
        .release()
        .perform();
    await(d -> docNodes().size() == before + 1);
    List<Map<String, Object>> nodes = docNodes();
    return (String) nodes.get(nodes.size() - 1).get("id");
  }

  /** Drags from output port {@code out} of one node to input port {@code in} of another. */
  void wire(String from, int out, String to, int in) {
    WebElement source =
        node(from)
            .findElement(By.cssSelector(".react-flow__handle[data-handleid='out-" + out + "']"));
    WebElement target =
        node(to).findElement(By.cssSelector(".react-flow__handle[data-handleid='in-" + in + "']"));
    new Actions(driver)
        .moveToElement(source)
        .clickAndHold()
        .pause(Duration.ofMillis(50))
        .moveByOffset(30, 10)
        .pause(Duration.ofMillis(50))
        .moveToElement(target)
        .pause(Duration.ofMillis(50))
        .release()
        .perform();
  }

  /** Presses a shortcut with Control held, e.g. {@code ctrl("z")}, on the page (not in a field). */
  void ctrl(String key) {
    new Actions(driver).keyDown(Keys.CONTROL).sendKeys(key).keyUp(Keys.CONTROL).perform();
  }

  void ctrlShift(String key) {
    new Actions(driver)
        .keyDown(Keys.CONTROL)
        .keyDown(Keys.SHIFT)
        .sendKeys(key)
        .keyUp(Keys.SHIFT)
        .keyUp(Keys.CONTROL)
        .perform();
  }

  /** Clicks an empty spot of the canvas: clears the selection and takes focus out of fields. */
  void clickCanvas(int x, int y) {
    new Actions(driver).moveToLocation(x, y).click().perform();
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      server.close();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * The set-up of a test class whose tests share one session: opened, with the first user
   * registered, before the first test, and closed after the last.
   */
  abstract static class Shared {
    @TempDir static Path dataDir;
    static EditorSession session;
    static String token;

    @BeforeAll
    static void openSession() throws Exception {
      session = new EditorSession(dataDir);
      token = session.registerByApi();
    }

    @AfterAll
    static void closeSession() throws Exception {
      if (session != null) {
        session.close();
        session = null;
      }
    }
  }
}
