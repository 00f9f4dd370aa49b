package dev.z8run.nodes.timing;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A cron expression in a time zone, as Node-RED's inject and most crontabs write it: five fields
 * ({@code minute hour day-of-month month day-of-week}) or six with seconds first. Each field takes
 * {@code *} (or {@code ?} for the day fields), numbers, ranges {@code a-b}, steps {@code * /n},
 * {@code a-b/n} and {@code a/n}, lists {@code a,b,c} and names ({@code JAN}..{@code DEC}, {@code
 * SUN}..{@code SAT}; day-of-week 0 and 7 are both Sunday). When both day fields are restricted a
 * day matches either, as in classic cron.
 *
 * <p>Daylight saving follows Vixie cron's rule. An expression with a fixed hour and minute (no
 * {@code *} in either, like {@code 30 2 * * *}) is a wall-clock time: it fires once on a day whose
 * fall-back repeats that time (at its first occurrence), and once on a day whose spring-forward
 * skips it, at the skipped time shifted forward by the gap (02:30 in Europe/Paris on 29 March 2026
 * fires at 03:30 CEST, the instant {@code java.time} gives that local time; Vixie cron runs it at
 * the change itself, 03:00). An expression with {@code *} in its hour or minute field ({@code
 * *}{@code /15 * * * *}, {@code 0 * * * *}) follows real time instead: it fires in both passes of a
 * repeated hour and not at all in a skipped one, so its firings stay evenly spaced. Immutable and
 * thread-safe.
 */
final class CronSchedule {
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final int SEARCH_YEARS = 8;

  private final String expression;
  private final ZoneId zone;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  /** Whether the hour and minute are fixed: a wall-clock time (see the class comment). */
  private final boolean wallClock;

  /**
   * @throws IllegalArgumentException saying which field is wrong and why
   */
  CronSchedule(String expression, ZoneId zone) {
    this.expression = expression;
    this.zone = zone;
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw new IllegalArgumentException(
          "cron '" + expression + "' has " + fields.length + " fields, expected 5 or 6");
    }
    int at = fields.length - 5;
    seconds = at == 1 ? parse(fields[0], "second", 0, 59, null) : single(0);
    minutes = parse(fields[at], "minute", 0, 59, null);
    hours = parse(fields[at + 1], "hour", 0, 23, null);
    daysOfMonth = parse(fields[at + 2], "day-of-month", 1, 31, null);
    months = parse(fields[at + 3], "month", 1, 12, MONTHS);
    BitSet week = parse(fields[at + 4], "day-of-week", 0, 7, DAYS);
    if (week.get(7)) {
      week.set(0);
    }
    daysOfWeek = week;
    anyDayOfMonth = isAny(fields[at + 2]);
    anyDayOfWeek = isAny(fields[at + 4]);
    wallClock = !fields[at].contains("*") && !fields[at + 1].contains("*");
  }

  String expression() {
    return expression;
  }

  /** The first firing time strictly after {@code epochMs}, or -1 when there is none. */
  long nextAfter(long epochMs) {
    ZonedDateTime now = Instant.ofEpochMilli(epochMs).atZone(zone).truncatedTo(ChronoUnit.SECONDS);
    LocalDateTime from = now.toLocalDateTime().plusSeconds(1);
    LocalDateTime last = from.plusYears(SEARCH_YEARS);
    if (!wallClock) {
      ZoneOffsetTransition overlap = zone.getRules().getTransition(now.toLocalDateTime());
      if (overlap != null && overlap.isOverlap()) {
        // real time inside a repeated hour: the rest of its first pass, then all of its second
        LocalDateTime end = overlap.getDateTimeBefore();
        if (now.getOffset().equals(overlap.getOffsetBefore())) {
          LocalDateTime first = nextLocal(from, end);
          if (first != null) {
            return instant(first, overlap.getOffsetBefore());
          }
          from = overlap.getDateTimeAfter();
        }
        LocalDateTime second = nextLocal(from, end);
        if (second != null) {
          return instant(second, overlap.getOffsetAfter());
        }
        from = end;
      }
    }
    for (LocalDateTime t = nextLocal(from, last);
        t != null;
        t = nextLocal(t.plusSeconds(1), last)) {
      List<ZoneOffset> offsets = zone.getRules().getValidOffsets(t);
      if (offsets.isEmpty() && !wallClock) {
        continue; // a time the spring-forward gap skips does not happen in real time
      }
      // in a gap: shifted forward by the gap; in an overlap: its first pass
      long at = ZonedDateTime.ofLocal(t, zone, null).toInstant().toEpochMilli();
      if (at > epochMs) {
        return at;
      }
    }
    return -1;
  }

  private long instant(LocalDateTime local, ZoneOffset offset) {
    return local.toInstant(offset).toEpochMilli();
  }

  /**
   * The first local time from {@code from} (included) to {@code until} (excluded) that the fields
   * match, walking a day, then an hour, a minute, a second at a time; null when there is none.
   */
  private LocalDateTime nextLocal(LocalDateTime from, LocalDateTime until) {
    LocalDateTime t = from;
    while (t.isBefore(until)) {
      if (!months.get(t.getMonthValue())) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
      } else if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      } else if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
      } else {
        return t;
      }
    }
    return null;
  }

  private boolean dayMatches(LocalDate day) {
    boolean dom = daysOfMonth.get(day.getDayOfMonth());
    boolean dow =
        daysOfWeek.get(day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue());
    if (anyDayOfMonth || anyDayOfWeek) {
      return dom && dow;
    }
    return dom || dow;
  }

  private static boolean isAny(String field) {
    return field.equals("*") || field.equals("?");
  }

  private static BitSet single(int value) {
    BitSet set = new BitSet();
    set.set(value);
    return set;
  }

  private static BitSet parse(String field, String what, int min, int max, List<String> names) {
    BitSet set = new BitSet();
    for (String part : field.split(",", -1)) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = value(part.substring(slash + 1), what, 1, max, null);
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max;
      } else if (range.indexOf('-') > 0) {
        int dash = range.indexOf('-');
        from = value(range.substring(0, dash), what, min, max, names);
        to = value(range.substring(dash + 1), what, min, max, names);
        if (to < from) {
          throw new IllegalArgumentException(what + " range '" + part + "' runs backwards");
        }
      } else {
        from = value(range, what, min, max, names);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private static int value(String text, String what, int min, int max, List<String> names) {
    if (names != null) {
      int named = names.indexOf(text.toUpperCase(Locale.ROOT));
      if (named >= 0) {
        return named + (min == 0 ? 0 : 1);
      }
    }
    int v;
    try {
      v = Integer.parseInt(text);
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a number or a name");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(what + " " + v + " is outside " + min + ".." + max);
    }
    return v;
  }
}
