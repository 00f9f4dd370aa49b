package dev.z8run.core.validate;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.registry.NodeTypeRegistry;
import java.util.List;

/** TEMPORARY STUB - replaced by the validator work. */
public final class FlowValidator {
  public FlowValidator(NodeTypeRegistry registry) {}

  public List<Problem> validate(Flow flow) {
    return List.of();
  }

  /** Thrown with every problem. */
  public static final class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    public ValidationException(List<Problem> problems) {
      super(problems.toString());
      this.problems = problems;
    }

    public List<Problem> problems() {
      return problems;
    }
  }
}
