package dev.avatargateway.spring.internal.security;

import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import dev.avatargateway.spring.internal.web.ServletHeaders;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who sent a request, as the application's Spring Security decided: an authenticated, non-anonymous
 * {@link Authentication} on the calling thread's {@code SecurityContext} is the principal (its
 * {@link Authentication#getName()}, scheme {@value #SCHEME}); without one, the core's own auth
 * modes ({@code avatar-gateway.auth.*}) decide. The {@code Authentication} is the one the request
 * arrived with ({@link ServletHeaders#user()}, taken on its thread), else the calling thread's.
 */
public final class SpringSecurityAuthenticator implements Authenticator {
  /** The {@link Principal#scheme()} of principals that Spring Security established. */
  public static final String SCHEME = "spring-security";

  private final Authenticator fallback;

  /**
   * @param fallback decides when Spring Security did not authenticate the request
   */
  public SpringSecurityAuthenticator(Authenticator fallback) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
  }

  /** Spring Security's users only: any other request is 401 {@code unauthenticated}. */
  public static SpringSecurityAuthenticator only() {
    return new SpringSecurityAuthenticator(
        headers -> {
          throw new GatewayException(ErrorCode.UNAUTHENTICATED, "Log in to the application first.");
        });
  }

  @Override
  public Principal authenticate(RequestHeaders headers) {
    return authenticated(headers)
        .map(user -> new Principal(user.getName(), SCHEME))
        .orElseGet(() -> fallback.authenticate(headers));
  }

  /**
   * The user Spring Security authenticated for this request, if any and not anonymous: the one the
   * request arrived with, else the calling thread's.
   */
  static Optional<Authentication> authenticated(RequestHeaders headers) {
    // The request's own user first: an asynchronous start is authenticated on another thread.
    Authentication authentication =
        headers instanceof ServletHeaders servlet
            ? servlet
                .user()
                .filter(Authentication.class::isInstance)
                .map(Authentication.class::cast)
                .orElse(null)
            : SecurityContextHolder.getContext().getAuthentication();
    return Optional.ofNullable(authentication)
        .filter(Authentication::isAuthenticated)
        .filter(user -> !(user instanceof AnonymousAuthenticationToken))
        .filter(user -> user.getName() != null && !user.getName().isBlank());
  }
}
