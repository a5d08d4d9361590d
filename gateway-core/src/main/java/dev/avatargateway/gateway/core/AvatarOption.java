package dev.avatargateway.gateway.core;

/**
 * An avatar this gateway allows, for pickers ({@code GET /api/avatar/presets}).
 *
 * @param id the preset id or custom avatar UUID
 * @param type {@code runway-preset} or {@code custom}
 * @param name a display name
 */
public record AvatarOption(String id, String type, String name) {}
