/**
 * Who is calling: {@code none}, {@code api-key} or {@code jwt} authentication, configured by {@link
 * dev.avatargateway.gateway.auth.AuthConfig} and built by {@link
 * dev.avatargateway.gateway.auth.Authenticators}. The principal it establishes keys rate limits,
 * concurrency caps and the session ledger (issue 3 §3.2, §3.3).
 */
package dev.avatargateway.gateway.auth;
