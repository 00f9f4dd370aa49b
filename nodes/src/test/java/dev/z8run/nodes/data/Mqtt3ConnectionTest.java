package dev.z8run.nodes.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lean client's topic matching (what the broker sends it is routed to its subscriptions). */
class Mqtt3ConnectionTest {
  @Test
  void shouldMatchTopicsAsMqttFiltersDo() {
    assertTrue(Mqtt3Connection.matches("a/b", "a/b"));
    assertFalse(Mqtt3Connection.matches("a/b", "a/bc"));
    assertFalse(Mqtt3Connection.matches("a/b", "a/b/c"));
    assertTrue(Mqtt3Connection.matches("a/+/c", "a/x/c"));
    assertTrue(Mqtt3Connection.matches("a/+/c", "a//c"));
    assertFalse(Mqtt3Connection.matches("a/+/c", "a/x/y/c"));
    assertTrue(Mqtt3Connection.matches("a/+", "a/x"));
    assertFalse(Mqtt3Connection.matches("a/+", "a/x/y"));
    assertTrue(Mqtt3Connection.matches("a/#", "a"), "# also matches its parent level");
    assertTrue(Mqtt3Connection.matches("a/#", "a/x/y"));
    assertTrue(Mqtt3Connection.matches("#", "a/x"));
    assertFalse(Mqtt3Connection.matches("#", "$SYS/broker"), "wildcards skip $ topics");
    assertFalse(Mqtt3Connection.matches("+/broker", "$SYS/broker"));
    assertTrue(Mqtt3Connection.matches("$SYS/#", "$SYS/broker"));
    assertTrue(Mqtt3Connection.matches("$share/group/a/+", "a/x"), "shared: the filter after it");
    assertFalse(Mqtt3Connection.matches("$share/group/a/+", "b/x"));
    assertTrue(Mqtt3Connection.matches("+/+", "/x"));
  }
}
