package dev.avatargateway.example;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The example's own settings ({@code example.*}).
 *
 * @param demoUsers the names of the in-memory demo users; default {@code alice} and {@code bob}
 *     (two, to show that each sees only their own sessions)
 * @param demoPassword the demo users' password; unset: one random password per user, logged at
 *     start-up. Demo only: a real application keeps its users elsewhere
 */
@ConfigurationProperties("example")
public record ExampleProperties(List<String> demoUsers, String demoPassword) {
  /** See {@link #demoUsers()}. */
  static final List<String> DEFAULT_USERS = List.of("alice", "bob");

  /** Fills in the defaults. */
  public ExampleProperties {
    demoUsers = demoUsers == null || demoUsers.isEmpty() ? DEFAULT_USERS : List.copyOf(demoUsers);
    demoPassword = demoPassword == null || demoPassword.isBlank() ? null : demoPassword;
  }

  @Override
  public String toString() {
    return "ExampleProperties[demoUsers="
        + demoUsers
        + ", demoPassword="
        + (demoPassword == null ? "generated" : "***")
        + "]";
  }
}
