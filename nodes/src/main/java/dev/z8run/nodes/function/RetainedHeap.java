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
 * <p>Not thread-safe; a walk runs on the thread that runs the node's script, between two calls, so
 * that nothing it reads changes under it.
 */
final class RetainedHeap {
  private static final String RHINO = "org.mozilla.javascript";

  /** The reference fields a walk follows in an object of a class, and its shallow bytes. */
  private record Shape(Field[] references, long shallowBytes) {}

  private static final ClassValue<Shape> SHAPES =
      new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
          return shape(type);
        }
      };

  private RetainedHeap() {}

  /** What is reachable from {@code roots}, in bytes (an estimate; each object once). */
  static long bytes(List<Object> roots) {
    IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
    ArrayDeque<Object> todo = new ArrayDeque<>();
    for (Object root : roots) {
      visit(root, seen, todo);
    }
    long bytes = 0;
    while (!todo.isEmpty()) {
      bytes += expand(todo.pop(), seen, todo);
    }
    return bytes;
  }

  private static void visit(
      Object value, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> todo) {
    if (value == null || value instanceof Boolean || stops(value)) {
      return;
    }
    if (seen.put(value, Boolean.TRUE) == null) {
      todo.push(value);
    }
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
  private static long expand(
      Object value, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> todo) {
    switch (value) {
      case String text -> {
        return HeldMemory.heapBytes(text);
      }
      case Number number -> {
        return 16;
      }
      case Object[] items -> {
        for (Object item : items) {
          visit(item, seen, todo);
        }
        return align(16 + 4L * items.length);
      }
      case Map<?, ?> map when !isRhino(map.getClass()) -> {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          visit(entry.getKey(), seen, todo);
          visit(entry.getValue(), seen, todo);
        }
        return 48 + 32L * map.size();
      }
      case Collection<?> items when !isRhino(items.getClass()) -> {
        for (Object item : items) {
          visit(item, seen, todo);
        }
        return 40 + 8L * items.size();
      }
      case MessageView message -> {
        // the msg of a call kept by the script: its copy of the message, and what it parsed
        // (one a timer or a link call keeps is counted by the node already)
        long copy = message.keepers > 0 ? 0 : message.keptBytes();
        return copy + fields(message, SHAPES.get(MessageView.class), seen, todo);
      }
      default -> {
        Class<?> type = value.getClass();
        if (type.isArray()) {
          return align(16 + (long) Array.getLength(value) * bytesOf(type.getComponentType()));
        }
        if (!isRhino(type)) {
          return 0; // a host function's body, a buffer: not the script's
        }
        return fields(value, SHAPES.get(type), seen, todo);
      }
    }
  }

  private static long fields(
      Object value, Shape shape, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> todo) {
    for (Field field : shape.references()) {
      try {
        visit(field.get(value), seen, todo);
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
