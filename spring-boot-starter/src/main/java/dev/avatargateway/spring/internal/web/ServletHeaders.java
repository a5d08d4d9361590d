package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.RequestHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Optional;

/**
 * A request's headers, and the user the application's security established for it, taken on the
 * request's own thread: the core authenticates an asynchronous start on a thread of its own, where
 * no thread-bound security context is (Spring Security's {@code SecurityContextHolder}), so the
 * user travels with the request instead. Spring Security puts its {@code Authentication} here
 * ({@link HttpServletRequest#getUserPrincipal()}); an anonymous one is absent.
 */
public final class ServletHeaders implements RequestHeaders {
  private final HttpServletRequest request;
  private final Optional<Principal> user;

  ServletHeaders(HttpServletRequest request) {
    this.request = request;
    this.user = Optional.ofNullable(request.getUserPrincipal());
  }

  @Override
  public Optional<String> get(String name) {
    return Optional.ofNullable(request.getHeader(name));
  }

  /** The user the application authenticated, if any, as it was when the request arrived. */
  public Optional<Principal> user() {
    return user;
  }
}
