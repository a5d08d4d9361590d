package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * What nimbus' {@code JWKSetBasedJWKSource} does, on an injected {@link Clock} instead of {@code
 * System.currentTimeMillis()}: nimbus' caching and rate-limiting sources below take the time as an
 * argument, so the whole chain then runs on this clock. Keys are looked up in the cached set; when
 * none matches (an unknown {@code kid}: the issuer may have rotated its keys), the set is fetched
 * again unless another request already did, which the rate limiter below bounds.
 */
final class ClockedJwkSource implements JWKSource<SecurityContext>, Closeable {
  private final JWKSetSource<SecurityContext> source;
  private final Clock clock;

  ClockedJwkSource(JWKSetSource<SecurityContext> source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    long now = clock.millis();
    JWKSet cached = source.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), now, context);
    List<JWK> keys = selector.select(cached);
    if (!keys.isEmpty()) {
      return keys;
    }
    JWKSet fresh =
        source.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(cached), now, context);
    return selector.select(fresh);
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
