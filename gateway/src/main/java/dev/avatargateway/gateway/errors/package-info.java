/**
 * What every feature may throw: {@link dev.avatargateway.gateway.errors.GatewayException} (with its
 * stable {@link dev.avatargateway.gateway.errors.ErrorCode}) for a request, {@link
 * dev.avatargateway.gateway.errors.ConfigException} for a setting. Depends on nothing else of the
 * gateway, so that every feature package can use it without cycles.
 */
package dev.avatargateway.gateway.errors;
