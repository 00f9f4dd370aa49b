package dev.z8run.store;

/** {@link UserStore#create} was given a user name that exists, ignoring case. */
public final class UsernameTakenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String username;

  public UsernameTakenException(String username) {
    super("user name '" + username + "' is taken");
    this.username = username;
  }

  public String username() {
    return username;
  }
}
