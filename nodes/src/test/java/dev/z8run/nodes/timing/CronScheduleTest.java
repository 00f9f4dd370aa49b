package dev.z8run.nodes.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
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

  /** The instants a schedule fires at from {@code fromUtc}, {@code count} of them, in UTC. */
  private static List<String> firings(String cron, String fromUtc, int count) {
    CronSchedule schedule = new CronSchedule(cron, PARIS);
    List<String> firings = new ArrayList<>();
    long t = Instant.parse(fromUtc).toEpochMilli();
    for (int i = 0; i < count; i++) {
      t = schedule.nextAfter(t);
      firings.add(Instant.ofEpochMilli(t).toString());
    }
    return firings;
  }

  @Test
  void shouldFireAWallClockTimeOnceOnTheDayTheFallBackRepeatsIt() {
    // 25 October 2026 in Paris: 03:00 CEST -> 02:00 CET, so 02:30 happens at 00:30Z and 01:30Z
    assertEquals(
        List.of("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
        firings("30 2 * * *", "2026-10-23T12:00:00Z", 3));
    // started in the second pass (02:10 CET), after the first 02:30 went by: not again that day
    assertEquals(List.of("2026-10-26T01:30:00Z"), firings("30 2 * * *", "2026-10-25T01:10:00Z", 1));
  }

  @Test
  void shouldFireAWallClockTimeTheSpringForwardSkipsOnceShiftedByTheGap() {
    // 29 March 2026 in Paris: 02:00 CET -> 03:00 CEST; 02:30 does not exist, it fires at 03:30 CEST
    assertEquals("2026-03-29T03:30", next("30 2 * * *", "2026-03-29T01:00:00"));
    assertEquals(
        List.of("2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"),
        firings("30 2 * * *", "2026-03-27T12:00:00Z", 3));
    // a job at 03:30 and the shifted 02:30 are the same instant: one firing
    assertEquals(
        List.of("2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"),
        firings("30 2,3 * * *", "2026-03-28T23:00:00Z", 2));
  }

  @Test
  void shouldFollowRealTimeWhenTheHourOrMinuteIsAWildcard() {
    // hourly: both passes of the repeated hour, each an hour apart
    assertEquals(
        List.of("2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"),
        firings("0 * * * *", "2026-10-24T23:30:00Z", 3));
    // every 30 minutes across the repeated hour: evenly spaced in real time
    assertEquals(
        List.of(
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:00:00Z"),
        firings("*/30 * * * *", "2026-10-25T00:10:00Z", 4));
    // the skipped hour does not happen: 01:30 CET, then 03:00 CEST
    assertEquals(
        List.of("2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z"),
        firings("*/30 * * * *", "2026-03-29T00:10:00Z", 2));
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
