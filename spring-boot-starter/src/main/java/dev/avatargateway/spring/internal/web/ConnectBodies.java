package dev.avatargateway.spring.internal.web;

import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;

/**
 * Reads a connect body as the gateway does (client-contract.md §1.1, §1.2): {@code {"avatarId"}},
 * {@code {"customAvatarId"}} or empty; at most the configured bytes (413 {@code body_too_large}),
 * JSON only, even when empty (415: a form or {@code text/plain} post is what another site can send
 * without a CORS preflight), unknown fields ignored. The servlet container's own time-outs bound a
 * stalled body.
 */
final class ConnectBodies {
  /** Bytes asked for per read: a connect body usually arrives in one packet. */
  private static final int CHUNK = 4096;

  /** The header the core reads the client's address behind trusted proxies from. */
  static final String FORWARDED_FOR = "X-Forwarded-For";

  private final int maxBytes;

  ConnectBodies(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * The core's connect request for a servlet request: its headers (and Spring Security's user), its
   * addresses, its body read when the core asks for it.
   *
   * @param presence tells the core that the client left
   */
  ConnectRequest request(HttpServletRequest http, String requestId, ClientPresence presence) {
    return new ConnectRequest(
        requestId,
        new ServletHeaders(http),
        http.getRemoteAddr(),
        Collections.list(http.getHeaders(FORWARDED_FOR)),
        () -> read(http),
        presence);
  }

  /**
   * The avatar choice of this request's body.
   *
   * @throws GatewayException with the answer for a body that cannot be used
   */
  AvatarChoice read(HttpServletRequest request) {
    if (request.getContentLengthLong() > maxBytes) {
      throw tooLarge();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[Math.min(CHUNK, maxBytes + 1)];
    try (InputStream in = request.getInputStream()) {
      int n;
      while ((n = in.read(chunk, 0, Math.min(chunk.length, maxBytes + 1 - body.size()))) > 0) {
        body.write(chunk, 0, n);
        if (body.size() > maxBytes) {
          throw tooLarge();
        }
      }
    } catch (IOException e) {
      throw new GatewayException(
          ErrorCode.INCOMPLETE_BODY, "The request body ended before it was complete.");
    }
    String contentType = request.getContentType();
    if (contentType != null ? !isJson(contentType) : body.size() > 0) {
      throw new GatewayException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Send the request body as JSON (Content-Type: application/json).");
    }
    return AvatarChoice.parseJson(body.toString(StandardCharsets.UTF_8));
  }

  private GatewayException tooLarge() {
    return new GatewayException(
        ErrorCode.BODY_TOO_LARGE, "The request body is larger than " + maxBytes + " bytes.");
  }

  private static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json")
        || (type.startsWith("application/") && type.endsWith("+json"));
  }
}
