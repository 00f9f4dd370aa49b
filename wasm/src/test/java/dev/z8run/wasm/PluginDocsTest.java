package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/plugins.md agrees with the code: its complete example is the tested uppercase plugin. */
class PluginDocsTest {
  private static final Path MODULE_DIR = Path.of(System.getProperty("user.dir"));

  @Test
  void shouldShowTheTestedUppercasePluginAsTheCompleteExample() throws Exception {
    String doc = Files.readString(MODULE_DIR.getParent().resolve("docs/plugins.md"));
    int start = doc.indexOf("```wat\n");
    assertTrue(start >= 0, "docs/plugins.md has a ```wat block");
    int end = doc.indexOf("```", start + 7);
    String example = doc.substring(start + 7, end);
    assertEquals(
        Files.readString(TestPlugins.sourceDir(MODULE_DIR.getParent()).resolve("uppercase.wat")),
        example);
  }

  @Test
  void shouldListEveryHostFunction() throws Exception {
    String doc = Files.readString(MODULE_DIR.getParent().resolve("docs/plugins.md"));
    for (String function : HostImports.CAPABILITY.keySet()) {
      assertTrue(doc.contains("| `" + function + "("), function + " is documented");
    }
  }
}
