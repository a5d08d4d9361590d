package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.ClientConnection;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The one place that reaches into Tomcat's internals: from a servlet request that Tomcat handles
 * over HTTP/1.1 on its NIO connector (Spring Boot's default), to the connection's socket wrapper,
 * on which a non-blocking read tells whether the client closed its connection.
 *
 * <p>Tomcat tells an application nothing when a client closes its connection while a request is
 * handled, blocking or asynchronous (an async {@code WebAsyncTask}'s error callback did not fire
 * within 20 s of the close): while the request is handled its socket has no read interest in the
 * poller, so a FIN stays unread. Nor does a public API read the socket without blocking once the
 * body has been read: {@code ActionCode.AVAILABLE} does a non-blocking fill, but answers an
 * end-of-stream the same as one byte that arrived. So this class walks, by reflection resolved once
 * at start-up, {@code RequestFacade.request} (a protected field) → {@code
 * Request.getCoyoteRequest()} → {@code org.apache.coyote.Request.getInputBuffer()} → {@code
 * Http11InputBuffer.wrapper} (a private field), and calls the public {@code
 * SocketWrapperBase.read(false, buffer)}: on {@code NioEndpoint.NioSocketWrapper} it returns 0
 * while the client waits, and throws {@code EOFException} (or another {@code IOException}) once the
 * client closed or reset the connection (read in Tomcat 11.0.22's sources). A byte that did arrive
 * (a pipelined next request) is given back with the public {@code SocketWrapperBase.unRead}, which
 * puts it in front of the connection's read buffer, where the next request's parsing reads first.
 *
 * <p>Anything else is refused, per request: HTTP/2 (its streams share a connection that only
 * Tomcat's HTTP/2 handler may read), the NIO2 connector (whose non-blocking read leaves an
 * asynchronous read pending), TLS while the request's thread writes (see {@link #connectionOf}),
 * and a request that is not Tomcat's. {@code TomcatConnectionsTest} fails when a Tomcat upgrade
 * moves any of these members.
 */
final class TomcatConnections {
  static final String FACADE = "org.apache.catalina.connector.RequestFacade";
  static final String CONNECTOR_REQUEST = "org.apache.catalina.connector.Request";
  static final String COYOTE_REQUEST = "org.apache.coyote.Request";
  static final String INPUT_BUFFER = "org.apache.coyote.InputBuffer";
  static final String HTTP11_INPUT_BUFFER = "org.apache.coyote.http11.Http11InputBuffer";
  static final String SOCKET_WRAPPER = "org.apache.tomcat.util.net.SocketWrapperBase";
  static final String NIO_SOCKET_WRAPPER =
      "org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper";
  static final String SECURE_CHANNEL = "org.apache.tomcat.util.net.SecureNioChannel";

  private final Class<?> facade;
  private final Class<?> http11InputBuffer;
  private final Class<?> nioSocketWrapper;
  private final Class<?> secureChannel;
  private final MethodHandle channel;
  private final MethodHandle facadeRequest;
  private final MethodHandle coyoteRequest;
  private final MethodHandle inputBuffer;
  private final MethodHandle socketWrapper;
  private final MethodHandle read;
  private final MethodHandle unRead;
  private final MethodHandle isClosed;

  private TomcatConnections(ClassLoader loader) throws ReflectiveOperationException {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    facade = Class.forName(FACADE, false, loader);
    Class<?> connectorRequest = Class.forName(CONNECTOR_REQUEST, false, loader);
    Class<?> coyote = Class.forName(COYOTE_REQUEST, false, loader);
    Class<?> anyInputBuffer = Class.forName(INPUT_BUFFER, false, loader);
    http11InputBuffer = Class.forName(HTTP11_INPUT_BUFFER, false, loader);
    Class<?> wrapper = Class.forName(SOCKET_WRAPPER, false, loader);
    nioSocketWrapper = Class.forName(NIO_SOCKET_WRAPPER, false, loader);
    secureChannel = Class.forName(SECURE_CHANNEL, false, loader);
    facadeRequest = getter(lookup, facade, "request", connectorRequest);
    coyoteRequest =
        generic(
            lookup.findVirtual(
                connectorRequest, "getCoyoteRequest", MethodType.methodType(coyote)));
    inputBuffer =
        generic(
            lookup.findVirtual(coyote, "getInputBuffer", MethodType.methodType(anyInputBuffer)));
    socketWrapper = getter(lookup, http11InputBuffer, "wrapper", wrapper);
    read =
        lookup.findVirtual(
            wrapper, "read", MethodType.methodType(int.class, boolean.class, ByteBuffer.class));
    unRead =
        lookup.findVirtual(wrapper, "unRead", MethodType.methodType(void.class, ByteBuffer.class));
    isClosed = lookup.findVirtual(wrapper, "isClosed", MethodType.methodType(boolean.class));
    channel =
        generic(lookup.findVirtual(wrapper, "getSocket", MethodType.methodType(Object.class)));
  }

  /**
   * Resolves every member used, once, at start-up.
   *
   * @param loader where Tomcat's classes are
   * @throws ReflectiveOperationException when Tomcat is not there, or a member moved
   */
  static TomcatConnections resolve(ClassLoader loader) throws ReflectiveOperationException {
    try {
      return new TomcatConnections(loader);
    } catch (RuntimeException e) {
      // setAccessible refused (a module that does not open the package), a linkage problem.
      throw new ReflectiveOperationException(e.getMessage(), e);
    }
  }

  /**
   * The connection of a request Tomcat handles over HTTP/1.1 on its NIO connector; empty for any
   * other request. Called on the request's thread.
   *
   * @param whileWriting whether the request's thread writes while the connection is watched (an
   *     event stream): then a TLS connection is refused, since a TLS read may have to write a
   *     handshake record ({@code SecureNioChannel.read} on {@code NEED_WRAP}), which would race the
   *     request's own writes on the channel's one output buffer
   */
  Optional<ClientConnection> connectionOf(ServletRequest request, boolean whileWriting) {
    ServletRequest unwrapped = request;
    while (unwrapped instanceof ServletRequestWrapper wrapper) {
      unwrapped = wrapper.getRequest();
    }
    if (!facade.isInstance(unwrapped)) {
      return Optional.empty();
    }
    try {
      Object connector = facadeRequest.invoke(unwrapped);
      if (connector == null) {
        return Optional.empty(); // recycled: the request is over
      }
      Object buffer = inputBuffer.invoke(coyoteRequest.invoke(connector));
      if (!http11InputBuffer.isInstance(buffer)) {
        return Optional.empty(); // HTTP/2, or an upgraded connection
      }
      Object wrapper = socketWrapper.invoke(buffer);
      if (!nioSocketWrapper.isInstance(wrapper)) {
        return Optional.empty(); // NIO2: a non-blocking read there leaves a read pending
      }
      if (whileWriting && secureChannel.isInstance(channel.invoke(wrapper))) {
        return Optional.empty();
      }
      return Optional.of(new Nio(wrapper));
    } catch (RuntimeException e) {
      return Optional.empty();
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      // A getter or a virtual call declares Throwable; none of these throws a checked one.
      return Optional.empty();
    }
  }

  private static MethodHandle getter(
      MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type)
      throws ReflectiveOperationException {
    Field field = owner.getDeclaredField(name);
    if (!type.isAssignableFrom(field.getType())) {
      throw new NoSuchFieldException(owner.getName() + "." + name + " is no " + type.getName());
    }
    field.setAccessible(true);
    return generic(lookup.unreflectGetter(field));
  }

  private static MethodHandle generic(MethodHandle handle) {
    return handle.asType(MethodType.methodType(Object.class, Object.class));
  }

  /** One client connection on Tomcat's NIO connector. */
  private final class Nio implements ClientConnection {
    private final Object wrapper;

    Nio(Object wrapper) {
      this.wrapper = wrapper;
    }

    @Override
    public Look look(ByteBuffer scratch) {
      int read;
      try {
        if ((boolean) isClosed.invoke(wrapper)) {
          return Look.GONE;
        }
        scratch.clear();
        read = (int) TomcatConnections.this.read.invoke(wrapper, false, scratch);
      } catch (IOException e) {
        return Look.GONE; // EOFException at the end of the stream; a reset is an IOException too
      } catch (RuntimeException e) {
        return Look.CANNOT_TELL;
      } catch (Error e) {
        throw e;
      } catch (Throwable e) {
        return Look.CANNOT_TELL;
      }
      if (read < 0) {
        return Look.GONE;
      }
      if (read == 0) {
        return Look.WAITING;
      }
      scratch.flip();
      try {
        unRead.invoke(wrapper, scratch);
        return Look.SENT_BYTES;
      } catch (RuntimeException e) {
        return Look.LOST_BYTES;
      } catch (Error e) {
        throw e;
      } catch (Throwable e) {
        return Look.LOST_BYTES;
      }
    }
  }
}
