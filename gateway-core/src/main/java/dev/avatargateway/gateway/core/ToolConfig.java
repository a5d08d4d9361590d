package dev.avatargateway.gateway.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A tool as written in the configuration file (runway-api.md §2.1.2).
 *
 * @param type {@code client_event} or {@code backend_rpc}
 * @param name 1-64 characters, {@code ^[a-zA-Z_][a-zA-Z0-9_]*$}, unique per session
 * @param description 1-1024 characters
 * @param parameters at most 20
 * @param timeoutSeconds {@code backend_rpc} only: 1-8 seconds; absent for Runway's 4 s
 */
public record ToolConfig(
    String type,
    String name,
    String description,
    List<ParameterConfig> parameters,
    Double timeoutSeconds) {

  /**
   * A tool parameter.
   *
   * @param type {@code string}, {@code integer}, {@code number}, {@code boolean}, {@code array} or
   *     {@code object}
   * @param name 1-64 characters, same pattern as tool names
   * @param description 1-1024 characters
   * @param required default true
   * @param values {@code string} only: the allowed values (YAML key {@code enum})
   * @param items {@code array} only: the item type ({@code string}, {@code integer}, {@code
   *     number}, {@code boolean})
   * @param properties {@code object} only: at most 20 entries, passed through as JSON
   */
  public record ParameterConfig(
      String type,
      String name,
      String description,
      Boolean required,
      @JsonProperty("enum") List<String> values,
      String items,
      List<Object> properties) {}
}
