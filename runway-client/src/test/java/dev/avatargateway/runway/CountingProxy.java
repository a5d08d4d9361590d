package dev.avatargateway.runway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy in front of the simulator that sees what a client does on the wire: how many of
 * its requests are in flight at once, and over how many TCP connections (distinct remote ports).
 *
 * <p>It holds the first requests until {@code fillTo} of them are in flight together (or a few
 * seconds pass), so that a bound of {@code fillTo} is reached for certain and a client that lets
 * more through is caught, however the threads happen to be scheduled.
 */
final class CountingProxy implements AutoCloseable {
  /** Long enough for any scheduling; only reached when the client lets fewer through. */
  private static final long FILL_WAIT_SECONDS = 10;

  private static final List<String> FORWARDED_HEADERS =
      List.of("Accept", "Authorization", "Content-Type", "User-Agent", "X-Runway-Version");

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient forward =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
  private final CountDownLatch filled;

  CountingProxy(URI upstream, int fillTo) {
    this.upstream = upstream;
    this.filled = new CountDownLatch(fillTo);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_024);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The most requests that were in flight at once. */
  int maxInFlight() {
    return maxInFlight.get();
  }

  /** The TCP connections the requests came on, by their remote ports. */
  Set<Integer> connections() {
    return Set.copyOf(remotePorts);
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    remotePorts.add(exchange.getRemoteAddress().getPort());
    boolean countedOut = false;
    try {
      filled.countDown();
      filled.await(FILL_WAIT_SECONDS, TimeUnit.SECONDS);
      HttpResponse<byte[]> response = forward.send(copy(exchange), BodyHandlers.ofByteArray());
      response
          .headers()
          .firstValue("Content-Type")
          .ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
      byte[] body = response.body();
      // Counted out before the answer leaves: the client may send its next request as soon as it
      // has read this answer, and that request must not find this one still counted.
      inFlight.decrementAndGet();
      countedOut = true;
      exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } finally {
      if (!countedOut) {
        inFlight.decrementAndGet();
      }
    }
  }

  private HttpRequest copy(HttpExchange exchange) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
            .method(
                exchange.getRequestMethod(),
                BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
    for (String name : FORWARDED_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    return request.build();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    forward.close();
  }
}
