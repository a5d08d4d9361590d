package dev.avatargateway.gateway.core;

import java.util.List;

/**
 * What a session is made of, decided by the server, never by the browser (client-contract.md §7).
 * Any field left out falls back to {@code avatars.sessionDefaults}, then to Runway's own default.
 *
 * @param maxDuration seconds, 10-1800 (runway-api.md §2.1)
 * @param personality 1-10,000 characters
 * @param startScript 1-2,000 characters
 * @param tools at most 20
 */
public record SessionTemplate(
    Integer maxDuration, String personality, String startScript, List<ToolConfig> tools) {

  /** An empty template: nothing overridden. */
  public static SessionTemplate empty() {
    return new SessionTemplate(null, null, null, null);
  }

  /** This template with every absent field taken from {@code fallback}. */
  public SessionTemplate over(SessionTemplate fallback) {
    return new SessionTemplate(
        maxDuration != null ? maxDuration : fallback.maxDuration(),
        personality != null ? personality : fallback.personality(),
        startScript != null ? startScript : fallback.startScript(),
        tools != null ? tools : fallback.tools());
  }
}
