/**
 * Idempotent starts: the {@code Idempotency-Key} of {@code POST /api/avatar/connect} and {@code
 * POST /api/avatar/sessions}, with the semantics of Stripe and the IETF draft "The Idempotency-Key
 * HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header): a key scoped to the principal, a
 * fingerprint of the request, an insert-first claim in the ledger's database (so that of two
 * requests with one key, also on two gateway instances, exactly one runs), and the first answer
 * stored encrypted (AES-256-GCM) and replayed byte for byte. See docs/idempotency.md.
 */
package dev.avatargateway.gateway.core.internal.idempotency;
