package dev.avatargateway.simulator.internal.world;

import java.util.List;
import java.util.Optional;

/**
 * What the world keeps from a validated create body: the raw text for the admin record, and the
 * parts its conversation record shows (runway-api-additions.md, Conversations).
 *
 * @param rawBody the create body exactly as received
 * @param maxDurationSeconds the requested {@code maxDuration}, when the body has one
 * @param presetId the {@code avatar.presetId} of a {@code runway-preset} avatar
 * @param customAvatarId the {@code avatar.avatarId} of a {@code custom} avatar; exactly one of this
 *     and {@code presetId} is present
 * @param tools the body's {@code tools}, in order (empty when it has none)
 */
public record SessionSpec(
    String rawBody,
    Optional<Integer> maxDurationSeconds,
    Optional<String> presetId,
    Optional<String> customAvatarId,
    List<Tool> tools) {

  /** Copies the tool list. */
  public SessionSpec {
    tools = List.copyOf(tools);
  }

  /**
   * One tool of the create body, as a conversation summarises it.
   *
   * @param type {@code client_event} or {@code backend_rpc}
   * @param name the tool name
   * @param description the tool description
   */
  public record Tool(String type, String name, String description) {}
}
