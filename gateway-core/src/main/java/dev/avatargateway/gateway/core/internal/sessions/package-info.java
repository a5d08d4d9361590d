/**
 * Asynchronous starts and the session endpoints: {@link
 * dev.avatargateway.gateway.core.internal.sessions.AsyncStarts} runs the connect flow of a start on
 * a thread of its own and keeps each start's events (bounded) for its readers; {@link
 * dev.avatargateway.gateway.core.internal.sessions.Start} is one start's state: its events, its
 * readers, the credentials until one reader takes them, and the grace after which an unread start
 * is cancelled; {@link dev.avatargateway.gateway.core.internal.sessions.SessionEnder} ends a
 * session upstream and in the ledger; {@link
 * dev.avatargateway.gateway.core.internal.sessions.SessionService} is the public {@link
 * dev.avatargateway.gateway.core.Sessions}: authentication, ownership, listings.
 */
package dev.avatargateway.gateway.core.internal.sessions;
