package dev.avatargateway.example;

import java.security.Principal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who is logged in, and the CSRF token the pages must send with each {@code POST} and {@code
 * DELETE}: the pages are static, so the token cannot be rendered into them.
 */
@RestController
class AccountController {
  /**
   * The logged-in user and the CSRF token to send.
   *
   * @param user the user's name, the gateway's principal
   * @param csrf where and what to send
   */
  record Account(String user, Csrf csrf) {}

  /**
   * @param headerName the request header that carries the token ({@code X-CSRF-TOKEN}), for the
   *     page's {@code fetch} calls
   * @param parameterName the form field that carries it instead ({@code _csrf}), for the login and
   *     logout forms
   * @param token the token, masked afresh on each call (Spring Security's BREACH protection): any
   *     of them is accepted until the login session changes (logging in makes a new one)
   */
  record Csrf(String headerName, String parameterName, String token) {
    static Csrf of(CsrfToken token) {
      return new Csrf(token.getHeaderName(), token.getParameterName(), token.getToken());
    }
  }

  /** {@code GET /api/me}: the logged-in user and the token (login required). */
  @GetMapping("/api/me")
  Account me(Principal user, CsrfToken csrf) {
    return new Account(user.getName(), Csrf.of(csrf));
  }

  /**
   * {@code GET /api/csrf}: the token alone, for the login page (open to all; another site's page
   * cannot read the answer, which is what the token rests on).
   */
  @GetMapping("/api/csrf")
  Csrf csrf(CsrfToken csrf) {
    return Csrf.of(csrf);
  }
}
