-- Idempotency keys of starts (POST /api/avatar/connect, POST /api/avatar/sessions) and the answers
-- stored for them; see docs/idempotency.md. Portable between H2 2.x and PostgreSQL 15 like V1, and
-- independent of V2: it needs nothing but V1's ledger_runs, and only in queries (no foreign key:
-- a pruned run must not take its keys with it, and a row of an unknown run counts as dead).

-- One row per (principal, key). The primary key is a digest of both (hex SHA-256 of their
-- length-prefixed UTF-8), not the two columns: a principal's name may be 1,024 characters, too
-- long for a portable index entry, and the key itself need not be stored at all (it is also the
-- associated data of the encrypted answer, which therefore opens only for a request bearing it).
CREATE TABLE idempotency_keys (
  scope_digest     VARCHAR(64)   NOT NULL,
  principal_name   VARCHAR(1024) NOT NULL,
  -- connect or sessions: the same key on another endpoint is another request.
  operation        VARCHAR(32)   NOT NULL,
  -- Hex SHA-256 of the operation and the canonical avatar choice.
  fingerprint      VARCHAR(64)   NOT NULL,
  state            VARCHAR(16)   NOT NULL,
  -- Who runs it: a fresh id per claim, so that a claim taken over after its lease cannot be
  -- completed or released by its first owner.
  claim_id         VARCHAR(36)   NOT NULL,
  owner_run_id     VARCHAR(64)   NOT NULL,
  created_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  -- While running: after this another request with the key may take it over.
  lease_expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  completed_at     TIMESTAMP(6) WITH TIME ZONE,
  -- Pruned after this (created_at plus idempotency.retention).
  expires_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  -- The stored answer once done: AES-256-GCM, base64 of version, nonce, ciphertext and tag.
  answer_sealed    VARCHAR(32768),
  CONSTRAINT idempotency_keys_pk PRIMARY KEY (scope_digest),
  CONSTRAINT idempotency_keys_state_ck CHECK (state IN ('running', 'done')),
  CONSTRAINT idempotency_keys_done_ck CHECK (state <> 'done' OR answer_sealed IS NOT NULL)
);

-- Pruning, oldest first.
CREATE INDEX idempotency_keys_expires_ix ON idempotency_keys (expires_at);
