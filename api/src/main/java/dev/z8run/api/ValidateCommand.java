package dev.z8run.api;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.validate.FlowValidator;
import dev.z8run.core.validate.Problem;
import dev.z8run.nodes.BuiltinNodes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code z8run validate FILE}: checks a flow document against the built-in node types without
 * starting anything, and prints every problem at once.
 *
 * <p>Exit codes: 0 valid, 1 the flow has problems, 2 the file is unreadable or not a flow document.
 */
final class ValidateCommand {
  static final int EXIT_INVALID = 1;

  private ValidateCommand() {}

  static int run(String file, PrintStream out, PrintStream err) {
    Flow flow;
    try {
      flow = FlowCodec.read(Files.readAllBytes(Path.of(file)));
    } catch (NoSuchFileException missing) {
      err.println("z8run: " + file + ": no such file");
      return Main.EXIT_USAGE;
    } catch (IOException unreadable) {
      err.println("z8run: " + file + ": " + unreadable.getMessage());
      return Main.EXIT_USAGE;
    } catch (RuntimeException malformed) {
      err.println("z8run: " + file + ": " + malformed.getMessage());
      return Main.EXIT_USAGE;
    }
    List<Problem> problems = new FlowValidator(BuiltinNodes.registry()).validate(flow);
    if (problems.isEmpty()) {
      out.println(
          file + ": valid (" + flow.nodes().size() + " nodes, " + flow.wires().size() + " wires)");
      return Main.EXIT_OK;
    }
    for (Problem problem : problems) {
      out.println(file + ": " + problem.code() + ": " + problem.message());
    }
    out.println(file + ": " + problems.size() + " problem(s)");
    return EXIT_INVALID;
  }
}
