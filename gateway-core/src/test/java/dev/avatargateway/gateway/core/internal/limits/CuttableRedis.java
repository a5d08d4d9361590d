package dev.avatargateway.gateway.core.internal.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of the test Redis on a loopback port of its own, which a test cuts (every
 * connection dropped, new ones refused) and restores: a Redis outage and its return, for real,
 * without stopping the shared Redis. Close it after the test.
 */
public final class CuttableRedis implements AutoCloseable {
  private static final int REDIS_PORT = 6379;

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final int port;
  private volatile ServerSocket server;
  private volatile boolean closed;

  private CuttableRedis(int port) throws IOException {
    this.port = port;
    listen();
  }

  /** A relay on a free loopback port, relaying already. */
  public static CuttableRedis start() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    return new CuttableRedis(port);
  }

  /** The URL of the relay, for {@code redis.url}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Drops every relayed connection and refuses new ones until {@link #restore()}. */
  public synchronized void cut() throws IOException {
    ServerSocket current = server;
    server = null;
    if (current != null) {
      current.close();
    }
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
  }

  /** Accepts and relays connections again. */
  public synchronized void restore() throws IOException {
    if (server == null && !closed) {
      listen();
    }
  }

  private void listen() throws IOException {
    ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    server = socket;
    Thread.ofPlatform()
        .daemon()
        .name("cuttable-redis-accept")
        .start(
            () -> {
              while (!socket.isClosed()) {
                try {
                  Socket client = socket.accept();
                  Socket redis = new Socket(InetAddress.getLoopbackAddress(), REDIS_PORT);
                  sockets.add(client);
                  sockets.add(redis);
                  pump(client, redis);
                  pump(redis, client);
                } catch (IOException e) {
                  return; // cut or closed
                }
              }
            });
  }

  private void pump(Socket from, Socket to) {
    Thread.ofPlatform()
        .daemon()
        .name("cuttable-redis-pump")
        .start(
            () -> {
              byte[] buffer = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // One side went away: the other is closed below.
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException e) {
                  // Closing a closed socket: nothing left to do.
                }
              }
            });
  }

  @Override
  public void close() throws IOException {
    closed = true;
    cut();
  }
}
