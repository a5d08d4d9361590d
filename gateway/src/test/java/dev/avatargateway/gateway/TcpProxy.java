package dev.avatargateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in the test's JVM between gateways and a server (Redis), to make the server
 * unreachable on demand without stopping it for everyone else: {@link #cut()} resets every
 * connection and from then on resets new ones as soon as they are accepted (as a server that went
 * away does), {@link #restore()} relays again. The port stays bound through a cut: a port let go is
 * in the ephemeral range, and any outgoing connection on the machine may take it before a restore
 * binds it again. Bytes are piped both ways unchanged, one virtual thread per direction.
 */
final class TcpProxy implements AutoCloseable {
  private static final int PIPE_BUFFER_BYTES = 16 * 1024;

  /** Pending connections the OS queues while the accept loop is busy. */
  private static final int BACKLOG = 50;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cutOff;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target, ServerSocket server) {
    this.target = target;
    this.server = server;
  }

  /** Starts a proxy on a free port of 127.0.0.1 to {@code host:targetPort}. */
  static TcpProxy start(String host, int targetPort) {
    try {
      ServerSocket listening = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
      TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, targetPort), listening);
      Thread.ofVirtual()
          .name("tcp-proxy-accept-" + listening.getLocalPort())
          .start(proxy::acceptUntilClosed);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on a loopback port", e);
    }
  }

  /** The port the proxy listens on. */
  int port() {
    return server.getLocalPort();
  }

  /** Resets every connection, and every new one until {@link #restore()}. */
  synchronized void cut() {
    cutOff = true;
    open.forEach(TcpProxy::reset);
    open.clear();
  }

  /** Relays new connections again. */
  synchronized void restore() {
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
      Socket upstream = new Socket();
      try {
        upstream.connect(target);
      } catch (IOException e) {
        reset(client);
        closeQuietly(upstream);
        continue;
      }
      open.add(client);
      open.add(upstream);
      if (cutOff) {
        // Cut while this one was being connected: it must not survive the cut.
        reset(client);
        reset(upstream);
        continue;
      }
      Thread.ofVirtual().start(() -> pipe(client, upstream));
      Thread.ofVirtual().start(() -> pipe(upstream, client));
    }
  }

  /** Closes with a reset (no orderly FIN), as a server that went away does. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Already closed: closing below is harmless.
    }
    closeQuietly(socket);
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[PIPE_BUFFER_BYTES];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (SocketException e) {
      // Closed by cut() or by the other side.
    } catch (IOException e) {
      // Same: the pair is closed below.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (IOException e) {
      // Nothing left to do with a socket that does not close.
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    cutOff = true;
    closeQuietly(server);
    open.forEach(TcpProxy::reset);
    open.clear();
  }
}
