package dev.z8run.perf.jmh;

import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.testkit.TestPlugins;
import dev.z8run.wasm.ExecutionMode;
import dev.z8run.wasm.PluginContextStore;
import dev.z8run.wasm.PluginException;
import dev.z8run.wasm.PluginInstance;
import dev.z8run.wasm.PluginModule;
import dev.z8run.wasm.Plugins;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * WebAssembly plugin calls through z8run's ABI on Chicory ({@code PluginInstance.process}: alloc,
 * copy in, {@code z8_process}, bounds checks, copy out, dealloc, under the time-limit watchdog).
 *
 * <ul>
 *   <li>{@code trivial*}: the echo plugin on a 7-byte payload, compiled and interpreted; sample
 *       mode, so the output has the median ({@code p0.50}) per call.
 *   <li>{@code uppercase*}: the uppercase plugin on a JSON string of {@code payloadBytes}, against
 *       the same work in Java ({@code uppercaseJava}: what a built-in node would run). Bytes per
 *       second = payloadBytes / time per operation.
 * </ul>
 *
 * <pre>
 * java -jar perf/target/z8run-perf.jar PluginBenchmarks
 * </pre>
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dagrona.disable.bounds.checks=true"})
public class PluginBenchmarks {
  private static final byte[] TRIVIAL = "\"hello\"".getBytes(StandardCharsets.UTF_8);

  @Param({"16384"})
  public int payloadBytes;

  private PluginInstance echoCompiled;
  private PluginInstance echoInterpreted;
  private PluginInstance upperCompiled;
  private PluginInstance upperInterpreted;
  private byte[] text;
  private byte[] scratch;

  @Setup(Level.Trial)
  public void setUp() throws PluginException {
    echoCompiled = load("echo", ExecutionMode.COMPILED).newInstance();
    echoInterpreted = load("echo", ExecutionMode.INTERPRETED).newInstance();
    upperCompiled = load("uppercase", ExecutionMode.COMPILED).newInstance();
    upperInterpreted = load("uppercase", ExecutionMode.INTERPRETED).newInstance();
    text = new byte[payloadBytes];
    Arrays.fill(text, (byte) 'a');
    for (int i = 0; i < text.length; i += 10) {
      text[i] = ' ';
    }
    text[0] = '"';
    text[text.length - 1] = '"';
    scratch = new byte[payloadBytes + 27];
  }

  static PluginModule load(String name, ExecutionMode mode) throws PluginException {
    Plugins plugins = new Plugins(new NodeTypeRegistry(), mode, PluginContextStore.inMemory());
    return plugins.install(
        "name = \"" + name + "\"\n[limits]\nmax_result_bytes = 1048576", TestPlugins.wasm(name));
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public byte[] trivialCompiled() throws PluginException {
    return echoCompiled.process(TRIVIAL);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public byte[] trivialInterpreted() throws PluginException {
    return echoInterpreted.process(TRIVIAL);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public byte[] uppercaseCompiled() throws PluginException {
    return upperCompiled.process(text);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public byte[] uppercaseInterpreted() throws PluginException {
    return upperInterpreted.process(text);
  }

  /**
   * The same work in Java: wrap the payload as {@code [{"port":0,"payload":...}]} and upper-case
   * the letters inside its strings, escapes kept.
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public byte[] uppercaseJava() {
    byte[] out = scratch;
    byte[] in = text;
    int o = 21;
    boolean inString = false;
    for (int i = 0; i < in.length; i++) {
      byte b = in[i];
      if (b == '\\') {
        out[o++] = b;
        if (++i == in.length) {
          break;
        }
        b = in[i];
      } else {
        if (b == '"') {
          inString = !inString;
        }
        if (inString && b >= 'a' && b <= 'z') {
          b -= 32;
        }
      }
      out[o++] = b;
    }
    out[o++] = '}';
    out[o] = ']';
    return Arrays.copyOf(out, o + 1);
  }
}
