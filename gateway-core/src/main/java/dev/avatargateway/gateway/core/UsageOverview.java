package dev.avatargateway.gateway.core;

import java.util.List;
import java.util.Objects;

/**
 * Today's use of the whole gateway and of its principals, for admins ({@code GET
 * /api/admin/usage}).
 *
 * @param global the whole gateway's use, with the global budgets
 * @param principals the principals with the most minutes today, most first, each with the
 *     per-principal budgets
 */
public record UsageOverview(Usage global, List<Usage> principals) {
  /** Copies the principals; rejects nulls. */
  public UsageOverview {
    Objects.requireNonNull(global, "global");
    principals = List.copyOf(principals);
  }
}
