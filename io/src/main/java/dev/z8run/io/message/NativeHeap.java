package dev.z8run.io.message;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The C library's {@code calloc} and {@code free} as method handles over {@code long}s, for {@link
 * LazyZeroedMemory}. This version reaches the foreign-function API by reflection (the code is
 * compiled for Java 21, where it is a preview API); the jar carries a Java 22 version under {@code
 * META-INF/versions/22} that calls it directly, which a JDK 22+ loads instead: the reflective calls
 * cost each start ~50 generated classes and ~50 ms of CPU (perf/README.md, "h25 start").
 *
 * <p>Only called on a JDK 22+ ({@link LazyZeroedMemory} checks). Throws where the API or native
 * access is not available; the caller falls back to direct buffers.
 */
final class NativeHeap {
  private NativeHeap() {}

  /** {@code void *calloc(size_t count, size_t size)} as {@code (long, long) long}. */
  static MethodHandle calloc() throws ReflectiveOperationException {
    return downcall("calloc", true, 2);
  }

  /** {@code void free(void *block)} as {@code (long) void}. */
  static MethodHandle free() throws ReflectiveOperationException {
    return downcall("free", false, 1);
  }

  /** {@code Linker.nativeLinker().downcallHandle(symbol, (long...)long or void)}, by reflection. */
  private static MethodHandle downcall(String symbol, boolean returnsLong, int longArguments)
      throws ReflectiveOperationException {
    Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
    Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
    Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
    Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
    Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
    Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
    Object javaLong =
        Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);
    Object linker = linkerType.getMethod("nativeLinker").invoke(null);
    Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
    Object address =
        ((Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, symbol))
            .orElseThrow(() -> new NoSuchMethodException(symbol));
    Object arguments = Array.newInstance(layoutType, longArguments);
    for (int i = 0; i < longArguments; i++) {
      Array.set(arguments, i, javaLong);
    }
    Object descriptor =
        returnsLong
            ? descriptorType
                .getMethod("of", layoutType, arguments.getClass())
                .invoke(null, javaLong, arguments)
            : descriptorType.getMethod("ofVoid", arguments.getClass()).invoke(null, arguments);
    Method downcallHandle =
        linkerType.getMethod(
            "downcallHandle",
            segmentType,
            descriptorType,
            Array.newInstance(optionType, 0).getClass());
    return (MethodHandle)
        downcallHandle.invoke(linker, address, descriptor, Array.newInstance(optionType, 0));
  }
}
