package dev.z8run.core.runtime;

/**
 * 64 bytes of fields nobody uses, as the first fields of a subclass's objects: a class lays out its
 * superclass's fields before its own, so a subclass's fields start at least one cache line after
 * the object's start, away from whatever the heap put just before it. With 64 more bytes after them
 * (a last subclass of padding), fields one thread writes often sit on lines of their own.
 *
 * <p>Why it matters: a core that writes a line takes it from every other core's cache. A worker
 * that counts down in the same line as the fields another worker reads to send it a message (its
 * inbox, its record limit) moved that line between the two cores twice per message.
 */
abstract class CacheLinePadding {
  long p01;
  long p02;
  long p03;
  long p04;
  long p05;
  long p06;
  long p07;
  long p08;
}
