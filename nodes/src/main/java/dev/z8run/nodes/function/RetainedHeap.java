package dev.z8run.nodes.function;

import dev.z8run.nodes.support.HeldMemory;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.ScriptableObject;

/**
 * An estimate of the heap a function node's script keeps between calls: everything reachable from
 * the roots it is given (the node's scope, its timers' callbacks and arguments, its link calls'
 * settle functions), walked by identity, each object counted once.
 *
 * <p>What the walk follows: the fields of Rhino's own objects (a {@link ScriptableObject}'s slots,
 * a {@code NativeArray}'s dense array, a {@code ConsString}'s halves, an {@code ArrayBuffer}'s
 * bytes, a {@code Map}'s entries, a closure's activation and its parent's, a Promise's reactions),
 * read by reflection, because Rhino's public API reaches a property's value only through its getter
 * (which would run script code) and reaches no activation at all; arrays; strings ({@link
 * HeldMemory#heapBytes}); and the JDK's collections through their public API. Where it stops: a
 * sealed object (the standard objects and their prototypes, every node's alike, which no script can
 * change), anything of the engine's (the {@link Context}, a class, a class loader) and any other
 * Java object (a host function's body, a message buffer), and a scope's associated values (Rhino's
 * caches). An object counts its header and fields as HotSpot lays them out with compressed
 * references (12 bytes, 4 a reference, aligned to 8), an array likewise, a string as {@link
 * HeldMemory#heapBytes} says; a boxed number 16.
 *
 * <p>What a walk costs is bounded: it follows at most {@code maxVisits} references (each reference
 * to an object, each item of an array, each entry of a collection counts once, whether or not its
 * object was seen before), and every {@value #PACE_EVERY_VISITS} of them it calls its {@code pace},
 * which may pause the walk or end it by throwing (the function node's {@link
 * Sandbox.Limited#observeWalk}: past a few milliseconds the walk, like a long call, leaves the
 * engine worker to a stand-in). A walk that reaches {@code maxVisits} stops there: {@link
 * Kept#complete()} false.
 *
 * <p>Not thread-safe; a walk runs on the thread that runs the node's script, between two calls, so
 * that nothing it reads changes under it.
 */
final class RetainedHeap {
  private static final String RHINO = "org.mozilla.javascript";

  /** References a walk follows between two calls of its pace: some tens of microseconds. */
  static final int PACE_EVERY_VISITS = 256;

  /** The reference fields a walk follows in an object of a class, and its shallow bytes. */
  private record Shape(Field[] references, long shallowBytes) {}

  private static final ClassValue<Shape> SHAPES =
      new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
          return shape(type);
        }
      };

  /**
   * What a walk found: the bytes of the objects it reached and the references it followed; when not
   * {@code complete}, it stopped at its limit of references, and the bytes are those so far.
   */
  record Kept(long bytes, long visits, boolean complete) {}

  private final IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
  private final ArrayDeque<Object> todo = new ArrayDeque<>();
  private final long maxVisits;
  private final Runnable pace;
  private long visits;
  private long nextPace = PACE_EVERY_VISITS;

  private RetainedHeap(long maxVisits, Runnable pace) {
    this.maxVisits = maxVisits;
    this.pace = pace;
  }

  /** What is reachable from {@code roots}, in bytes (an estimate; each object once), unbounded. */
  static long bytes(List<Object> roots) {
    return measure(roots, Long.MAX_VALUE, () -> {}).bytes();
  }

  /**
   * What is reachable from {@code roots}, following at most {@code maxVisits} references, calling
   * {@code pace} every {@value #PACE_EVERY_VISITS} of them (what it throws ends the walk).
   */
  static Kept measure(List<Object> roots, long maxVisits, Runnable pace) {
    RetainedHeap walk = new RetainedHeap(maxVisits, pace);
    for (Object root : roots) {
      walk.visit(root);
    }
    long bytes = 0;
    while (!walk.todo.isEmpty() && walk.visits <= maxVisits) {
      bytes += walk.expand(walk.todo.pop());
    }
    return new Kept(bytes, Math.min(walk.visits, maxVisits), walk.visits <= maxVisits);
  }

  /** Follows one reference; false once the walk is past its limit (the caller stops). */
  private boolean visit(Object value) {
    if (++visits >= nextPace) {
      nextPace += PACE_EVERY_VISITS;
      pace.run();
    }
    if (visits > maxVisits) {
      return false;
    }
    if (value == null || value instanceof Boolean || stops(value)) {
      return true;
    }
    if (seen.put(value, Boolean.TRUE) == null) {
      todo.push(value);
    }
    return true;
  }

  /** Whether the walk ends before {@code value}: shared, the engine's, or no script's. */
  private static boolean stops(Object value) {
    return (value instanceof ScriptableObject object && object.isSealed())
        || value instanceof Context
        || value instanceof ContextFactory
        || value instanceof Class<?>
        || value instanceof ClassLoader
        || value instanceof Thread;
  }

  /** Counts {@code value} alone and queues what it refers to. */
  private long expand(Object value) {
    switch (value) {
      case String text -> {
        return HeldMemory.heapBytes(text);
      }
      case Number number -> {
        return 16;
      }
      case Object[] items -> {
        for (Object item : items) {
          if (!visit(item)) {
            break;
          }
        }
        return align(16 + 4L * items.length);
      }
      case Map<?, ?> map when !isRhino(map.getClass()) -> {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!visit(entry.getKey()) || !visit(entry.getValue())) {
            break;
          }
        }
        return 48 + 32L * map.size();
      }
      case Collection<?> items when !isRhino(items.getClass()) -> {
        for (Object item : items) {
          if (!visit(item)) {
            break;
          }
        }
        return 40 + 8L * items.size();
      }
      case MessageView message -> {
        // the msg of a call kept by the script: its copy of the message, and what it parsed
        // (one a timer or a link call keeps is counted by the node already)
        long copy = message.keepers > 0 ? 0 : message.keptBytes();
        return copy + fields(message, SHAPES.get(MessageView.class));
      }
      default -> {
        Class<?> type = value.getClass();
        if (type.isArray()) {
          return align(16 + (long) Array.getLength(value) * bytesOf(type.getComponentType()));
        }
        if (!isRhino(type)) {
          return 0; // a host function's body, a buffer: not the script's
        }
        return fields(value, SHAPES.get(type));
      }
    }
  }

  private long fields(Object value, Shape shape) {
    for (Field field : shape.references()) {
      try {
        if (!visit(field.get(value))) {
          break;
        }
      } catch (IllegalAccessException unreachable) {
        throw new IllegalStateException(field + " was made accessible", unreachable);
      }
    }
    return shape.shallowBytes();
  }

  private static boolean isRhino(Class<?> type) {
    return type.getName().startsWith(RHINO);
  }

  private static Shape shape(Class<?> type) {
    List<Field> references = new ArrayList<>();
    long bytes = 12; // the header, with compressed class pointers
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      boolean readable = isRhino(c) || c == MessageView.class;
      for (Field field : c.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        bytes += field.getType().isPrimitive() ? bytesOf(field.getType()) : 4;
        if (!readable
            || field.getType().isPrimitive()
            || (c == MessageView.class && field.getType() == byte[].class) // in keptBytes
            || (c == ScriptableObject.class && field.getName().equals("associatedValues"))) {
          continue;
        }
        field.setAccessible(true);
        references.add(field);
      }
    }
    return new Shape(references.toArray(Field[]::new), align(bytes));
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  /** The bytes of a field or an array element of type {@code component}, references compressed. */
  private static long bytesOf(Class<?> component) {
    if (component == byte.class || component == boolean.class) {
      return 1;
    }
    if (component == char.class || component == short.class) {
      return 2;
    }
    if (component == long.class || component == double.class) {
      return 8;
    }
    return 4;
  }
}
