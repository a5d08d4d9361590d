package dev.avatargateway.runway;

import java.util.List;
import java.util.Objects;

/**
 * A tool the avatar may call during a session (runway-api.md §2.1.2). Limits (name pattern and
 * length, description length, 20 parameters, unique names) are checked when {@link
 * RealtimeSessionCreateParams} is built, so that the error names the tool's position.
 */
public sealed interface Tool {
  /** The tool name: 1-64 characters matching {@code ^[a-zA-Z_][a-zA-Z0-9_]*$}, unique. */
  String name();

  /** What the tool does, for the model: 1-1024 characters. */
  String description();

  /** The tool's parameters: at most 20. */
  List<ToolParameter> parameters();

  /** A fire-and-forget event delivered to the browser over the WebRTC data channel. */
  static ClientEvent clientEvent(String name, String description, ToolParameter... parameters) {
    return new ClientEvent(name, description, List.of(parameters));
  }

  /** A round-trip call to your backend, with the upstream's default time-out (4 s). */
  static BackendRpc backendRpc(String name, String description, ToolParameter... parameters) {
    return new BackendRpc(name, description, List.of(parameters), null);
  }

  /**
   * {@code type: client_event}.
   *
   * @param name see {@link Tool#name()}
   * @param description see {@link Tool#description()}
   * @param parameters see {@link Tool#parameters()}
   */
  record ClientEvent(String name, String description, List<ToolParameter> parameters)
      implements Tool {
    /** Copies the parameters; rejects nulls. */
    public ClientEvent {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      parameters = List.copyOf(parameters);
    }
  }

  /**
   * {@code type: backend_rpc}.
   *
   * @param name see {@link Tool#name()}
   * @param description see {@link Tool#description()}
   * @param parameters see {@link Tool#parameters()}
   * @param timeoutSeconds how long the avatar waits for your backend, 1-8 seconds; null for the
   *     upstream default (4 s)
   */
  record BackendRpc(
      String name, String description, List<ToolParameter> parameters, Double timeoutSeconds)
      implements Tool {
    /** Copies the parameters; rejects nulls except {@code timeoutSeconds}. */
    public BackendRpc {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      parameters = List.copyOf(parameters);
    }

    /** A copy with this time-out, in seconds (1-8). */
    public BackendRpc withTimeoutSeconds(double seconds) {
      return new BackendRpc(name, description, parameters, seconds);
    }
  }
}
