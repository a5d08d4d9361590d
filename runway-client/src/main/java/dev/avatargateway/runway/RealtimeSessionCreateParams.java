package dev.avatargateway.runway;

import dev.avatargateway.runway.internal.ParamsValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The body of {@code POST /v1/realtime_sessions} (runway-api.md §2.1). Every documented limit is
 * checked on construction, so an invalid value fails here, before any request, with an {@link
 * InvalidParamsException} naming the field and the limit. The model is always {@value #MODEL}.
 *
 * @param avatar which avatar to show; required
 * @param maxDuration the session's maximum length in seconds, 10-1800; empty for the upstream
 *     default (300 s)
 * @param personality overrides the avatar's personality for this session, 1-10,000 characters
 * @param startScript overrides the avatar's opening line, 1-2,000 characters
 * @param tools at most 20 tools with unique names; empty for none
 * @param integration an ElevenLabs or LiveKit integration; empty for none
 */
public record RealtimeSessionCreateParams(
    SessionAvatar avatar,
    OptionalInt maxDuration,
    Optional<String> personality,
    Optional<String> startScript,
    List<Tool> tools,
    Optional<Integration> integration) {

  /** The only model realtime sessions accept. */
  public static final String MODEL = "gwm1_avatars";

  /** Copies the tools and checks every limit. */
  public RealtimeSessionCreateParams {
    Objects.requireNonNull(avatar, "avatar");
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(personality, "personality");
    Objects.requireNonNull(startScript, "startScript");
    Objects.requireNonNull(integration, "integration");
    tools = List.copyOf(tools);
    ParamsValidator.validate(avatar, maxDuration, personality, startScript, tools, integration);
  }

  /** Params with only the avatar set; everything else takes the upstream's defaults. */
  public static RealtimeSessionCreateParams of(SessionAvatar avatar) {
    return builder(avatar).build();
  }

  /** A builder for params showing this avatar. */
  public static Builder builder(SessionAvatar avatar) {
    return new Builder(avatar);
  }

  /** A builder that starts from these params. */
  public Builder toBuilder() {
    Builder builder = new Builder(avatar);
    maxDuration.ifPresent(builder::maxDuration);
    personality.ifPresent(builder::personality);
    startScript.ifPresent(builder::startScript);
    builder.tools(tools);
    integration.ifPresent(builder::integration);
    return builder;
  }

  /** Builds {@link RealtimeSessionCreateParams}; not thread-safe. */
  public static final class Builder {
    private SessionAvatar avatar;
    private Integer maxDuration;
    private String personality;
    private String startScript;
    private final List<Tool> tools = new ArrayList<>();
    private Integration integration;

    private Builder(SessionAvatar avatar) {
      this.avatar = Objects.requireNonNull(avatar, "avatar");
    }

    /** The avatar to show. */
    public Builder avatar(SessionAvatar avatar) {
      this.avatar = Objects.requireNonNull(avatar, "avatar");
      return this;
    }

    /** Maximum session length in seconds, 10-1800. Default: the upstream's (300). */
    public Builder maxDuration(int seconds) {
      this.maxDuration = seconds;
      return this;
    }

    /** The personality for this session, 1-10,000 characters. Default: the avatar's. */
    public Builder personality(String personality) {
      this.personality = Objects.requireNonNull(personality, "personality");
      return this;
    }

    /** The opening line for this session, 1-2,000 characters. Default: the avatar's. */
    public Builder startScript(String startScript) {
      this.startScript = Objects.requireNonNull(startScript, "startScript");
      return this;
    }

    /** Adds a tool (at most 20, unique names). */
    public Builder addTool(Tool tool) {
      tools.add(Objects.requireNonNull(tool, "tool"));
      return this;
    }

    /** Replaces the tools. */
    public Builder tools(List<? extends Tool> tools) {
      this.tools.clear();
      tools.forEach(this::addTool);
      return this;
    }

    /** The ElevenLabs or LiveKit integration. Default: none. */
    public Builder integration(Integration integration) {
      this.integration = Objects.requireNonNull(integration, "integration");
      return this;
    }

    /**
     * Builds the params.
     *
     * @throws InvalidParamsException when a value breaks a documented limit
     */
    public RealtimeSessionCreateParams build() {
      return new RealtimeSessionCreateParams(
          avatar,
          maxDuration == null ? OptionalInt.empty() : OptionalInt.of(maxDuration),
          Optional.ofNullable(personality),
          Optional.ofNullable(startScript),
          tools,
          Optional.ofNullable(integration));
    }
  }
}
