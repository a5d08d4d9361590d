/**
 * Budgets on paid sessions (docs/budgets.md): per principal (sessions and minutes a UTC day, live
 * sessions at once) and for the whole gateway (minutes and spend a UTC day). The check and the
 * reservation run in the transaction that records a connect's intent, under a lock row per scope,
 * so they are atomic across threads and across gateway instances sharing the ledger; use is derived
 * from the ledger's session rows, so settling needs no write and a restart forgets nothing.
 */
package dev.avatargateway.gateway.core.internal.budgets;
