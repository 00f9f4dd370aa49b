package dev.z8run.store.vector;

/** A write refused because it would take an owner past their {@link VectorLimits}. */
public final class VectorLimitException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public VectorLimitException(String message) {
    super(message);
  }
}
