/**
 * Waiting for READY: one poller for all of the gateway's waiting sessions, reading each at the
 * instants a model of its avatar's time-to-READY proposes, within one budget of status reads.
 *
 * <ul>
 *   <li>{@link dev.avatargateway.gateway.core.internal.readiness.ReadinessModel} learns each
 *       avatar's recent times to READY (a smoothed empirical distribution, robust to outliers) and
 *       plans the reads that minimise expected reads plus expected lateness, tuned to spend {@code
 *       readiness.readsPerSession} reads on an average session; for an avatar READY within
 *       milliseconds, one read, with a probe earlier now and then to find out whether READY comes
 *       sooner; until it knows an avatar, the schedule of runway-client's {@code
 *       PollSchedule.defaults()}. Its Javadoc gives the trade-off in figures.
 *   <li>{@link dev.avatargateway.gateway.core.internal.readiness.ReadinessPoller} keeps one queue
 *       of due reads for every waiting session, reads on virtual threads with a bounded number in
 *       flight and within {@code readiness.readsPerSecond} (halved on Runway's 429, then climbing
 *       back: {@link dev.avatargateway.gateway.core.internal.readiness.ReadBudget}), the sessions
 *       near their deadline and then the likeliest READY first when the budget binds (every session
 *       costs at least one read, so the budget also caps connects a second at its sustained rate,
 *       45 at the default 50, however soon READY comes); its blocking {@code await} has the
 *       outcomes of the client's {@code awaitReady}.
 *   <li>{@link dev.avatargateway.gateway.core.internal.readiness.LedgerSeed} seeds the model from
 *       the session ledger at start-up.
 * </ul>
 */
package dev.avatargateway.gateway.core.internal.readiness;
