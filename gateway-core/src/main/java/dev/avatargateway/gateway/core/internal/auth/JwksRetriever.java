package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches a JWKS document with the JDK {@link HttpClient}, bounded in total time and size. nimbus'
 * own {@code DefaultResourceRetriever} bounds each read, not the whole fetch: a server trickling
 * one byte per read time-out could hold a request for minutes.
 */
final class JwksRetriever implements ResourceRetriever {
  /**
   * The largest JWKS document accepted: nimbus' default ({@code
   * JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT}); a set of a dozen RSA keys is under 10 KiB.
   */
  static final int MAX_JWKS_BYTES = 50 * 1024;

  private final HttpClient client;
  private final Duration timeout;

  /**
   * @param timeout the most one fetch may take, from connecting to the last byte
   */
  JwksRetriever(Duration timeout) {
    this.timeout = timeout;
    // No redirects: the configured URL is the one trusted for keys.
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public Resource retrieveResource(URL url) throws IOException {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(url.toURI())
              .timeout(timeout)
              .header("Accept", "application/jwk-set+json, application/json")
              .GET()
              .build();
    } catch (URISyntaxException e) {
      throw new IOException("the JWKS URL is not a URI", e);
    }
    CompletableFuture<HttpResponse<String>> response =
        client.sendAsync(request, info -> new LimitedBody());
    HttpResponse<String> answer;
    try {
      answer = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      response.cancel(true);
      throw new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      response.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching the JWKS");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
    if (answer.statusCode() != 200) {
      throw new IOException("the JWKS URL answered HTTP " + answer.statusCode());
    }
    return new Resource(
        answer.body(), answer.headers().firstValue("Content-Type").orElse("application/json"));
  }

  /** Collects the body as UTF-8 text and gives up past {@link #MAX_JWKS_BYTES}. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
    private final CompletableFuture<String> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    @Override
    public CompletionStage<String> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return; // given up: buffers still in flight after cancel() are dropped
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > MAX_JWKS_BYTES) {
          subscription.cancel();
          body.completeExceptionally(
              new IOException("the JWKS document is larger than " + MAX_JWKS_BYTES + " bytes"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
