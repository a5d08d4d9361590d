package dev.avatargateway.gateway.core.internal.auth;

import dev.avatargateway.gateway.core.AuthConfig;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.RequestHeaders;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * {@code mode: api-key}: the presented key's SHA-256 is compared with every configured key's
 * SHA-256. Comparing digests rather than keys means the time a comparison takes can at most tell an
 * attacker about a hash, from which nothing can be learnt about the key; {@link
 * MessageDigest#isEqual} is constant-time on top, and every entry is compared whether or not an
 * earlier one matched, so the time does not say which entry matched either.
 */
final class ApiKeyAuthenticator implements Authenticator {
  static final String SCHEME = "api-key";

  private final byte[][] digests;
  private final String[] names;

  /** Takes validated entries. */
  ApiKeyAuthenticator(List<AuthConfig.ApiKey> keys) {
    digests = new byte[keys.size()][];
    names = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      digests[i] = keys.get(i).digest();
      names[i] = keys.get(i).name();
    }
  }

  @Override
  public Principal authenticate(RequestHeaders headers) {
    Optional<String> bearer = Credentials.bearer(headers);
    Optional<String> header = Credentials.apiKeyHeader(headers);
    if (bearer.isPresent() && header.isPresent()) {
      throw new AuthFailure(AuthFailure.Reason.AMBIGUOUS);
    }
    String presented =
        bearer.or(() -> header).orElseThrow(() -> new AuthFailure(AuthFailure.Reason.MISSING));
    byte[] digest = Digests.sha256(presented);
    int match = -1;
    for (int i = 0; i < digests.length; i++) {
      boolean equal = MessageDigest.isEqual(digests[i], digest);
      match = equal ? i : match;
    }
    if (match < 0) {
      throw new AuthFailure(AuthFailure.Reason.INVALID);
    }
    return new Principal(names[match], SCHEME);
  }

  @Override
  public String toString() {
    return "api-key with " + names.length + (names.length == 1 ? " key" : " keys");
  }
}
