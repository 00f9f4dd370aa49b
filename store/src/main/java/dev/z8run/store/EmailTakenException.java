package dev.z8run.store;

/** {@link UserStore#create} was given an e-mail address that another user has, ignoring case. */
public final class EmailTakenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String email;

  public EmailTakenException(String email) {
    super("e-mail address '" + email + "' is taken");
    this.email = email;
  }

  public String email() {
    return email;
  }
}
