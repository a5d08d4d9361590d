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
 * unreachable on demand without stopping it for everyone else: {@link #cut()} closes every
 * connection and from then on refuses new ones (as a dead host's port would: connection refused),
 * {@link #restore()} accepts again. Bytes are piped both ways unchanged, one virtual thread per
 * direction.
 */
final class TcpProxy implements AutoCloseable {
  private static final int PIPE_BUFFER_BYTES = 16 * 1024;

  /** Pending connections the OS queues while the accept loop is busy. */
  private static final int BACKLOG = 50;

  private final InetSocketAddress target;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket server;
  private boolean closed;

  private TcpProxy(InetSocketAddress target, int port) {
    this.target = target;
    this.port = port;
  }

  /** Starts a proxy on a free port of 127.0.0.1 to {@code host:targetPort}. */
  static TcpProxy start(String host, int targetPort) {
    TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, targetPort), GatewayJvm.freePort());
    proxy.restore();
    return proxy;
  }

  /** The port the proxy listens on (while not cut). */
  int port() {
    return port;
  }

  /** Closes every connection and the listening socket: connecting is refused until restore. */
  synchronized void cut() {
    closeQuietly(server);
    server = null;
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Listens again on the same port. */
  synchronized void restore() {
    if (closed || server != null) {
      return;
    }
    try {
      ServerSocket listening = new ServerSocket();
      listening.setReuseAddress(true);
      listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
      server = listening;
      Thread.ofVirtual().name("tcp-proxy-accept-" + port).start(() -> accept(listening));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      Socket client;
      try {
        client = listening.accept();
      } catch (IOException e) {
        return; // cut or closed
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      open.add(client);
      open.add(upstream);
      if (listening.isClosed()) {
        // Cut while this one was being connected: it must not survive the cut.
        closeQuietly(client);
        closeQuietly(upstream);
        return;
      }
      Thread.ofVirtual().start(() -> pipe(client, upstream));
      Thread.ofVirtual().start(() -> pipe(upstream, client));
    }
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
    cut();
  }
}
