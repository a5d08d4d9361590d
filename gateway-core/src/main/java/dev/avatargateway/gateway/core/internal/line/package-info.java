/**
 * The waiting line in front of upstream creation: when the organisation's cap is reached (the
 * create gate of {@code internal.limits} is full, or Runway reports our sessions queued), starts
 * wait here first in first out, bounded, told their position and an estimated wait, instead of
 * being refused at once. A package of its own rather than part of {@code internal.limits}: the
 * limits there never block and hold no order, while the line parks its callers, keeps their order
 * and reads the ledger for its estimates.
 */
package dev.avatargateway.gateway.core.internal.line;
