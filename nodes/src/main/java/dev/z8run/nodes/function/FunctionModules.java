package dev.z8run.nodes.function;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Node.js modules the operator lets function nodes find in their {@code global} context, as
 * Node-RED's {@code functionGlobalContext} in settings.js ({@code os: require("os")}, then {@code
 * global.get("os")} in a function). Only modules bundled here can be listed ({@link #AVAILABLE}),
 * and none is by default: {@code os} tells a flow's author about the host (its name, kernel,
 * memory), which an operator of a shared server may not want. A value a flow stored under the same
 * name wins. Installed by the host as an engine service; without one, no module is offered.
 *
 * <p>{@code os} offers {@code hostname()}, {@code type()}, {@code platform()}, {@code arch()},
 * {@code release()}, {@code uptime()}, {@code freemem()}, {@code totalmem()}, {@code
 * availableParallelism()} and {@code EOL}, with Node.js's values ({@code linux}, {@code x64}, ...);
 * nothing that names users, paths or network interfaces.
 */
public record FunctionModules(Set<String> modules) {
  /** The modules that can be offered. */
  public static final List<String> AVAILABLE = List.of("os");

  /** None offered. */
  public static final FunctionModules NONE = new FunctionModules(Set.of());

  public FunctionModules {
    modules = Set.copyOf(modules);
    for (String module : modules) {
      if (!AVAILABLE.contains(module)) {
        throw new IllegalArgumentException(
            "'"
                + module
                + "' is not a module function nodes can be given (available: "
                + String.join(", ", AVAILABLE)
                + ")");
      }
    }
  }

  /** Whether {@code name} is offered. */
  public boolean offers(String name) {
    return modules.contains(name);
  }

  /** Node.js's {@code os.platform()} for this JVM's operating system. */
  static String platform() {
    String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (name.startsWith("windows")) {
      return "win32";
    }
    if (name.startsWith("mac")) {
      return "darwin";
    }
    return name.replace(" ", "");
  }

  /** Node.js's {@code os.arch()} for this JVM's architecture. */
  static String arch() {
    return switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "x64";
      case "aarch64" -> "arm64";
      case "x86", "i386", "i686" -> "ia32";
      default -> System.getProperty("os.arch", "");
    };
  }

  /** Node.js's {@code os.type()}: Linux, Darwin, Windows_NT. */
  static String type() {
    return switch (platform()) {
      case "linux" -> "Linux";
      case "darwin" -> "Darwin";
      case "win32" -> "Windows_NT";
      default -> System.getProperty("os.name", "");
    };
  }

  /** The host's name, as gethostname(2) (Node.js's {@code os.hostname()}). */
  static String hostname() {
    try {
      java.nio.file.Path kernel = java.nio.file.Path.of("/proc/sys/kernel/hostname");
      if (java.nio.file.Files.isReadable(kernel)) {
        return java.nio.file.Files.readString(kernel).strip();
      }
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
