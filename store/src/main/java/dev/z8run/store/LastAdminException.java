package dev.z8run.store;

/** Refuses to demote or delete the last admin: a server without one cannot be managed. */
public final class LastAdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LastAdminException(String username) {
    super("'" + username + "' is the last admin; make another user an admin first");
  }
}
