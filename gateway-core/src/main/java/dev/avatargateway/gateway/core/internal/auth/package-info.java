/**
 * Who is calling: {@code none}, {@code api-key} or {@code jwt} authentication, configured by {@link
 * dev.avatargateway.gateway.core.AuthConfig} and built by {@link
 * dev.avatargateway.gateway.core.internal.auth.Authenticators}. The principal it establishes keys
 * rate limits, concurrency caps and the session ledger (issue 3 §3.2, §3.3).
 */
package dev.avatargateway.gateway.core.internal.auth;
