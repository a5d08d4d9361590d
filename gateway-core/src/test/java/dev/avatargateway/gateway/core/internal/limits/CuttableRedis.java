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
 * connection dropped, new ones reset as soon as they are accepted) and restores: a Redis outage and
 * its return, for real, without stopping the shared Redis. The port stays bound through a cut: a
 * port let go is in the ephemeral range, and any outgoing connection on the machine may take it
 * before the restore binds it again. Close it after the test.
 */
public final class CuttableRedis implements AutoCloseable {
  private static final int REDIS_PORT = 6379;

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private volatile boolean cutOff;
  private volatile boolean closed;

  private CuttableRedis() throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("cuttable-redis-accept").start(this::acceptUntilClosed);
  }

  /** A relay on a free loopback port, relaying already. */
  public static CuttableRedis start() throws IOException {
    return new CuttableRedis();
  }

  /** The URL of the relay, for {@code redis.url}. */
  public String url() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops every relayed connection and resets new ones until {@link #restore()}. */
  public synchronized void cut() {
    cutOff = true;
    dropAll();
  }

  /** Relays new connections again. */
  public synchronized void restore() {
    if (!closed) {
      cutOff = false;
    }
  }

  private void acceptUntilClosed() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cutOff) {
        reset(client);
        continue;
      }
      try {
        Socket redis = new Socket(InetAddress.getLoopbackAddress(), REDIS_PORT);
        sockets.add(client);
        sockets.add(redis);
        if (cutOff) {
          // Cut while this one was being connected: it must not survive the cut.
          dropAll();
          continue;
        }
        pump(client, redis);
        pump(redis, client);
      } catch (IOException e) {
        reset(client);
      }
    }
  }

  /** Closes with a reset (no orderly FIN), as a Redis that went away does. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      // Already closed: nothing left to do.
    }
  }

  private void dropAll() {
    for (Socket s : sockets) {
      reset(s);
    }
    sockets.clear();
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
  public synchronized void close() throws IOException {
    closed = true;
    cutOff = true;
    server.close();
    dropAll();
  }
}
