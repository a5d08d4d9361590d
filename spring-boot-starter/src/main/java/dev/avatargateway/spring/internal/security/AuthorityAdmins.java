package dev.avatargateway.spring.internal.security;

import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Who is an admin, as the application's Spring Security decided: a user it authenticated (as for
 * {@link SpringSecurityAuthenticator}) who holds the configured authority, such as {@value
 * #DEFAULT_AUTHORITY}; anyone else is decided by the admin keys ({@code auth.admin.api-keys}). An
 * admin may read every principal's sessions and use and end anyone's session, never more: starts
 * and connects ask the callers' authenticator.
 */
public final class AuthorityAdmins implements Authenticator {
  /**
   * The authority that makes a user an admin unless configured otherwise: what {@code
   * roles("AVATAR_ADMIN")} or {@code hasRole("AVATAR_ADMIN")} name, and specific enough that no
   * application's existing role gets admin rights by chance.
   */
  public static final String DEFAULT_AUTHORITY = "ROLE_AVATAR_ADMIN";

  private final String authority;
  private final Authenticator adminKeys;

  /**
   * @param authority the granted authority of admins, exactly as {@link
   *     GrantedAuthority#getAuthority()} gives it
   * @param adminKeys decides for everyone else
   */
  public AuthorityAdmins(String authority, Authenticator adminKeys) {
    this.authority = Objects.requireNonNull(authority, "authority");
    this.adminKeys = Objects.requireNonNull(adminKeys, "adminKeys");
  }

  @Override
  public Principal authenticate(RequestHeaders headers) {
    return SpringSecurityAuthenticator.authenticated(headers)
        .filter(this::isAdmin)
        .map(user -> new Principal(user.getName(), SpringSecurityAuthenticator.SCHEME))
        .orElseGet(() -> adminKeys.authenticate(headers));
  }

  private boolean isAdmin(Authentication user) {
    return user.getAuthorities().stream()
        .map(GrantedAuthority::getAuthority)
        .anyMatch(authority::equals);
  }
}
