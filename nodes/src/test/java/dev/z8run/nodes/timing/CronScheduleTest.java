package dev.z8run.nodes.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private static long at(String isoLocal) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(isoLocal), PARIS)
        .toInstant()
        .toEpochMilli();
  }

  private static String next(String cron, String after) {
    long next = new CronSchedule(cron, PARIS).nextAfter(at(after));
    return java.time.Instant.ofEpochMilli(next).atZone(PARIS).toLocalDateTime().toString();
  }

  @Test
  void shouldFireOnWorkdayMorningsInTheZone() {
    assertEquals("2026-11-30T09:00", next("0 9 * * 1-5", "2026-11-27T09:00:00")); // Fri -> Mon
    assertEquals("2026-11-27T09:00", next("0 9 * * MON-FRI", "2026-11-27T08:59:59"));
  }

  @Test
  void shouldHandleStepsListsAndNames() {
    assertEquals("2026-01-01T00:15", next("*/15 * * * *", "2026-01-01T00:00:00"));
    assertEquals("2026-01-01T10:05", next("5,35 10-12/2 * * *", "2026-01-01T00:00:00"));
    assertEquals("2026-03-01T00:00", next("0 0 1 MAR *", "2026-01-01T00:00:00"));
    assertEquals("2026-01-01T00:00:30", next("30 * * * * *", "2026-01-01T00:00:00"));
    assertEquals("2026-01-04T00:00", next("0 0 * * 7", "2026-01-01T00:00:00")); // 7 = Sunday
  }

  @Test
  void shouldMatchEitherDayFieldWhenBothAreRestricted() {
    // the 15th or a Monday, whichever comes first: Monday 5 January 2026
    assertEquals("2026-01-05T00:00", next("0 0 15 * 1", "2026-01-01T00:00:00"));
  }

  @Test
  void shouldSkipTheDaylightSavingGap() {
    // 29 March 2026: 02:00 -> 03:00 in Paris; 02:30 does not exist that day
    assertEquals("2026-03-30T02:30", next("30 2 * * *", "2026-03-29T01:00:00"));
  }

  @Test
  void shouldRefuseMalformedExpressions() {
    assertThrows(IllegalArgumentException.class, () -> new CronSchedule("* * *", PARIS));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> new CronSchedule("0 25 * * *", PARIS));
    assertTrue(bad.getMessage().contains("hour 25"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CronSchedule("0 0 * FOO *", PARIS));
  }

  @Test
  void shouldHaveNoNextTimeForAnImpossibleDate() {
    assertEquals(-1, new CronSchedule("0 0 30 2 *", PARIS).nextAfter(at("2026-01-01T00:00:00")));
  }
}
