package dev.avatargateway.gateway.core.internal.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** An identity provider's JWKS endpoint on 127.0.0.1 that counts its requests. */
final class JwksServer implements AutoCloseable {
  private static final String PATH = "/.well-known/jwks.json";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile String body = "{\"keys\":[]}";
  private volatile int status = 200;
  private volatile boolean hanging;

  private JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(PATH, this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** A server publishing the public parts of these keys. */
  static JwksServer serving(JWK... keys) throws IOException {
    JwksServer server = new JwksServer();
    server.serve(keys);
    return server;
  }

  /** From now on, publish these keys (public parts only). */
  void serve(JWK... keys) {
    body = new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    status = 200;
  }

  /** From now on, publish this document as it is. */
  void serveRaw(String document) {
    body = document;
    status = 200;
  }

  /** From now on, answer with this status and no keys. */
  void failWith(int httpStatus) {
    status = httpStatus;
  }

  /** From now on, accept requests and never answer them (until closed). */
  void hang() {
    hanging = true;
  }

  /** How many requests arrived. */
  int requests() {
    return requests.get();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (hanging) {
        released.await();
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
