package dev.avatargateway.gateway.core.internal.avatars;

import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.runway.Avatar;
import dev.avatargateway.runway.Avatars;
import dev.avatargateway.runway.NotFoundException;
import dev.avatargateway.runway.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Checks an allowed custom avatar upstream ({@code GET /v1/avatars/{id}}) before a paid session is
 * created for it: a UUID not owned by our organisation is a 404, a processing or failed avatar is a
 * 409 (runway-api.md §3.2: only READY is usable; client-contract.md §6.8). Answers are cached for a
 * short time; memory is bounded because only allow-listed ids ever reach this class. Upstream
 * failures are not cached: they surface to the caller.
 */
public final class CustomAvatarVerifier {
  private final Avatars avatars;
  private final Duration ttl;
  private final Clock clock;
  private final ConcurrentMap<String, Verdict> cache = new ConcurrentHashMap<>();

  /**
   * @param avatars the upstream avatar API
   * @param ttl how long an answer is trusted; zero disables the cache
   * @param clock for expiry
   */
  public CustomAvatarVerifier(Avatars avatars, Duration ttl, Clock clock) {
    this.avatars = avatars;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Returns when the avatar is READY upstream.
   *
   * @param deadline bounds the upstream look-up
   * @throws GatewayException {@code AVATAR_NOT_FOUND} or {@code AVATAR_NOT_READY}
   * @throws dev.avatargateway.runway.RunwayException when the upstream fails (not cached)
   */
  public void verify(ResolvedAvatar avatar, Instant deadline) {
    Instant now = clock.instant();
    Verdict verdict = cache.get(avatar.id());
    if (verdict == null || !now.isBefore(verdict.expiresAt())) {
      verdict = new Verdict(lookUp(avatar.id(), deadline), now.plus(ttl));
      cache.put(avatar.id(), verdict);
    }
    switch (verdict.state()) {
      case READY -> {}
      case NOT_FOUND ->
          throw new GatewayException(
              ErrorCode.AVATAR_NOT_FOUND,
              "This custom avatar does not exist in the Runway account.");
      case NOT_READY ->
          throw new GatewayException(
              ErrorCode.AVATAR_NOT_READY,
              "This custom avatar is not ready yet (still processing, or processing failed).");
    }
  }

  private State lookUp(String id, Instant deadline) {
    try {
      Avatar found = avatars.retrieve(id, RequestOptions.deadline(deadline));
      return found.isReady() ? State.READY : State.NOT_READY;
    } catch (NotFoundException e) {
      return State.NOT_FOUND;
    }
  }

  private enum State {
    READY,
    NOT_READY,
    NOT_FOUND
  }

  private record Verdict(State state, Instant expiresAt) {}
}
