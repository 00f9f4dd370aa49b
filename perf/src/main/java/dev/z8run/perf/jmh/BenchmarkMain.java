package dev.z8run.perf.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The perf jar's entry point: JMH's command line ({@code java -jar perf/target/z8run-perf.jar
 * EngineBenchmarks -prof gc}), with the JVM flags the code needs prepended to every fork.
 *
 * <p>Those flags are declared once, in the parent pom; the build writes them into the resource
 * {@code z8run-jvm.flags}. A fork is started with {@code java -cp}, where the jar manifest's
 * Add-Exports and Add-Opens do not apply, so they must reach it as arguments.
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(String[] args) throws IOException, RunnerException {
    CommandLineOptions command;
    try {
      command = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      System.err.println("Error parsing command line: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (command.shouldHelp()
        || command.shouldList()
        || command.shouldListWithParams()
        || command.shouldListProfilers()
        || command.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Options options =
        new OptionsBuilder()
            .parent(command)
            .jvmArgsPrepend(jvmFlags().toArray(String[]::new))
            .build();
    new Runner(options).run();
  }

  /** The JVM flags of the parent pom ({@code z8.jvm.*}), as the build wrote them. */
  static List<String> jvmFlags() throws IOException {
    try (InputStream in = BenchmarkMain.class.getResourceAsStream("/z8run-jvm.flags")) {
      if (in == null) {
        throw new IllegalStateException("z8run-jvm.flags is not in the perf jar: rebuild perf");
      }
      String flags = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      if (flags.contains("${")) {
        throw new IllegalStateException("z8run-jvm.flags was not filtered: " + flags);
      }
      return Arrays.stream(flags.split("\\s+")).filter(f -> !f.isEmpty()).toList();
    }
  }
}
