package dev.avatargateway.spring.internal.security;

import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.Objects;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who sent a request, as the application's Spring Security decided: an authenticated, non-anonymous
 * {@link Authentication} on the calling thread's {@code SecurityContext} is the principal (its
 * {@link Authentication#getName()}, scheme {@value #SCHEME}); without one, the core's own auth
 * modes ({@code avatar-gateway.auth.*}) decide. The core calls it on the request's thread, before
 * any work, which is where the context lives.
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

  @Override
  public Principal authenticate(RequestHeaders headers) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication != null
        && authentication.isAuthenticated()
        && !(authentication instanceof AnonymousAuthenticationToken)
        && authentication.getName() != null
        && !authentication.getName().isBlank()) {
      return new Principal(authentication.getName(), SCHEME);
    }
    return fallback.authenticate(headers);
  }
}
