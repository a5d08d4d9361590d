package dev.avatargateway.spring;

import dev.avatargateway.spring.internal.web.AdminEndpoints;
import dev.avatargateway.spring.internal.web.AvatarEndpoints;
import dev.avatargateway.spring.internal.web.SessionEndpoints;
import dev.avatargateway.spring.internal.web.UsageEndpoints;

/** The starter's paths, for the tests. */
final class AvatarPaths {
  static final String CONNECT = AvatarEndpoints.CONNECT;
  static final String CREDENTIALS = AvatarEndpoints.CREDENTIALS_PATH;
  static final String SESSION_KEY = AvatarEndpoints.SESSION_KEY_PATH;
  static final String PRESETS = AvatarEndpoints.PRESETS;
  static final String SESSIONS = SessionEndpoints.SESSIONS;
  static final String USAGE = UsageEndpoints.USAGE;
  static final String ADMIN_USAGE = UsageEndpoints.ADMIN_USAGE;
  static final String ADMIN_SESSIONS = AdminEndpoints.ADMIN_SESSIONS;

  private AvatarPaths() {}
}
