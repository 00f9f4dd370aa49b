package dev.z8run.io.message;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C library's {@code calloc} and {@code free} as method handles over {@code long}s: the Java
 * 22 version of {@code src/main/java}'s class (see there), the foreign-function API called
 * directly, without the reflective calls that generate classes at every start. Loaded from {@code
 * META-INF/versions/22} of the jar on a JDK 22+; the tests, which run from class directories, use
 * the other.
 */
final class NativeHeap {
  private NativeHeap() {}

  /** {@code void *calloc(size_t count, size_t size)} as {@code (long, long) long}. */
  static MethodHandle calloc() throws ReflectiveOperationException {
    return downcall(
        "calloc",
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
  }

  /** {@code void free(void *block)} as {@code (long) void}. */
  static MethodHandle free() throws ReflectiveOperationException {
    return downcall("free", FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
  }

  @SuppressWarnings("restricted") // native access is granted by the launcher's manifest
  private static MethodHandle downcall(String symbol, FunctionDescriptor descriptor)
      throws NoSuchMethodException {
    Linker linker = Linker.nativeLinker();
    MemorySegment address =
        linker.defaultLookup().find(symbol).orElseThrow(() -> new NoSuchMethodException(symbol));
    return linker.downcallHandle(address, descriptor);
  }
}
