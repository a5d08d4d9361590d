package dev.avatargateway.gateway.internal.http;

import java.net.URI;
import java.util.Objects;

/**
 * The demo page, as the HTTP layer serves it.
 *
 * @param enabled whether {@code demo.enabled} (or its derived default) asks for the page
 * @param resourceFolder the classpath folder holding the built page ({@code demo}: the web build
 *     writes it into the jar); tests point it at a fixture of their own, so that they never depend
 *     on whether the real page was built
 * @param authMode {@code auth.mode} ({@code none}, {@code api-key} or {@code jwt}), told to the
 *     page so that it asks for credentials only when they are needed
 * @param consumeBaseUrl where a browser consumes a session key: Runway's base URL, or the embedded
 *     simulator's; the page's {@code connect-src} allows its origin
 */
public record DemoSettings(
    boolean enabled, String resourceFolder, String authMode, URI consumeBaseUrl) {
  /** The folder the web build writes into the classpath. */
  public static final String BUILT_FOLDER = "demo";

  /** Rejects missing parts. */
  public DemoSettings {
    Objects.requireNonNull(resourceFolder, "resourceFolder");
    Objects.requireNonNull(authMode, "authMode");
    Objects.requireNonNull(consumeBaseUrl, "consumeBaseUrl");
  }
}
