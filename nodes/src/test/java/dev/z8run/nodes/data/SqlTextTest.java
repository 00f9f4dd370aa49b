package dev.z8run.nodes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.data.SqlText.DollarNamed;
import dev.z8run.nodes.data.SqlText.MessageValue;
import dev.z8run.nodes.data.SqlText.Named;
import dev.z8run.nodes.data.SqlText.Positional;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How SQL text becomes JDBC text with bound parameters. */
class SqlTextTest {
  @Test
  void shouldTurnEveryParameterStyleIntoAPlaceholder() {
    SqlText text =
        SqlText.parse(
            "SELECT * FROM t WHERE a = ? AND b = $2 AND c = :name AND d = $payload.user.id"
                + " AND e = $1 AND f = $msg.topic");
    assertEquals(
        "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ? AND f = ?",
        text.jdbc());
    assertEquals(
        List.of(
            new Positional(0),
            new Positional(1),
            new Named("name"),
            new MessageValue("payload.user.id"),
            new Positional(0),
            new MessageValue("topic")),
        text.sources());
  }

  @Test
  void shouldLeaveStringsCommentsCastsAndAssignmentsAlone() {
    SqlText text =
        SqlText.parse(
            "SELECT ':x', \"?col\", '$1 it''s', x::int, y := 1 -- :not ?\n/* $2 */ FROM t WHERE"
                + " z = :z");
    assertEquals(List.of(new Named("z")), text.sources());
    assertEquals(
        "SELECT ':x', \"?col\", '$1 it''s', x::int, y := 1 -- :not ?\n/* $2 */ FROM t WHERE z = ?",
        text.jdbc());
  }

  @Test
  void shouldTakeDollarNamesAsNamedValuesAndLeaveDollarQuotesAlone() {
    SqlText text =
        SqlText.parse(
            "SELECT $id, $$ ? :x $1 $$, $fn$ $y ? $fn$, a$b, $payload FROM t WHERE n = $name");
    assertEquals(
        List.of(new DollarNamed("id"), new MessageValue("payload"), new DollarNamed("name")),
        text.sources());
    assertEquals("SELECT ?, $$ ? :x $1 $$, $fn$ $y ? $fn$, a$b, ? FROM t WHERE n = ?", text.jdbc());
  }

  @Test
  void shouldSplitAScriptAtSemicolonsOutsideStrings() {
    assertEquals(
        List.of("INSERT INTO t VALUES ('a;b')", "SELECT 1"),
        SqlText.statements("INSERT INTO t VALUES ('a;b'); SELECT 1; ;"));
  }
}
