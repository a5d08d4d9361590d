package dev.avatargateway.gateway.core;

import java.util.Optional;

/** Read access to a request's headers (case-insensitive names), free of any web framework. */
@FunctionalInterface
public interface RequestHeaders {
  /** The first value of the named header, if present. */
  Optional<String> get(String name);
}
