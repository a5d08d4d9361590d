package dev.avatargateway.gateway.connect;

import dev.avatargateway.gateway.auth.Principal;
import java.util.Optional;

/**
 * One browser's ask for a session, after authentication.
 *
 * @param requestId the gateway's id for this request (the {@code X-Request-Id})
 * @param principal who asks
 * @param clientAddress the client's IP address (behind trusted proxies: from X-Forwarded-For)
 * @param avatarId the body's {@code avatarId}, if any
 * @param customAvatarId the body's {@code customAvatarId}, if any
 */
public record ConnectRequest(
    String requestId,
    Principal principal,
    String clientAddress,
    Optional<String> avatarId,
    Optional<String> customAvatarId) {}
