package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the real fetches (below the cache and the rate limiter): logs one WARN when fetching
 * starts failing and one INFO when it works again, however many requests fail in between. Fetches
 * never involve a caller's token, so nothing logged here can contain one.
 */
final class MonitoredJwkSetSource implements JWKSetSource<SecurityContext> {
  private static final Logger LOG = LoggerFactory.getLogger(MonitoredJwkSetSource.class);

  /** Enough to reach the I/O failure under nimbus' wrapper; guards against a cycle of causes. */
  private static final int MAX_CAUSES = 4;

  private final JWKSetSource<SecurityContext> source;
  private final String url;
  private final AtomicBoolean failing = new AtomicBoolean();

  /**
   * @param url the JWKS URL as it may be logged
   */
  MonitoredJwkSetSource(JWKSetSource<SecurityContext> source, String url) {
    this.source = source;
    this.url = url;
  }

  @Override
  public JWKSet getJWKSet(
      JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
      throws KeySourceException {
    JWKSet set;
    try {
      set = source.getJWKSet(refreshEvaluator, currentTime, context);
    } catch (KeySourceException e) {
      if (failing.compareAndSet(false, true)) {
        LOG.warn(
            "Fetching the JWKS from {} failed ({}); callers with a JWT are refused (401) until"
                + " it works again",
            url,
            describe(e));
      }
      throw e;
    }
    if (failing.compareAndSet(true, false)) {
      LOG.info("Fetching the JWKS from {} works again", url);
    }
    return set;
  }

  /** Whether the last fetch failed. */
  boolean failing() {
    return failing.get();
  }

  @Override
  public void close() throws IOException {
    source.close();
  }

  /** The chain of causes in one line, e.g. {@code JWKSetRetrievalException <- ConnectException}. */
  private static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (!text.isEmpty()) {
        text.append(" <- ");
      }
      text.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        text.append(": ").append(t.getMessage());
      }
    }
    return text.toString();
  }
}
