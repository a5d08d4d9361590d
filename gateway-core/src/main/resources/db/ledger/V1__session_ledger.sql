-- The session ledger, portable between H2 2.x and PostgreSQL 15. Identifiers are unquoted (H2
-- folds them to upper case, PostgreSQL to lower case: the same to unquoted SQL) and avoid both
-- databases' reserved words. Instants are TIMESTAMP WITH TIME ZONE at microsecond precision,
-- written in UTC.

-- One row per run of a gateway process. A run holds a lease that its heartbeats renew; once the
-- lease has expired (or the run retired), other runs take over its sessions.
CREATE TABLE ledger_runs (
  run_id           VARCHAR(64)  NOT NULL,
  instance_name    VARCHAR(255) NOT NULL,
  started_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  heartbeat_at     TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  lease_expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  -- Set on a clean stop, or when a newer run of the same instance registered.
  retired_at       TIMESTAMP(6) WITH TIME ZONE,
  CONSTRAINT ledger_runs_pk PRIMARY KEY (run_id)
);

-- A restarted instance retires its earlier runs by name.
CREATE INDEX ledger_runs_instance_ix ON ledger_runs (instance_name);

-- One row per upstream session, written before create is sent. owner_run_id has no foreign key:
-- a session whose owner is unknown (a pruned or foreign run) is an orphan to take over, not an
-- error.
CREATE TABLE ledger_sessions (
  gateway_id           VARCHAR(36)   NOT NULL,
  upstream_id          VARCHAR(128),
  principal_name       VARCHAR(1024) NOT NULL,
  client_address       VARCHAR(64),
  avatar_id            VARCHAR(128)  NOT NULL,
  avatar_type          VARCHAR(32)   NOT NULL,
  request_id           VARCHAR(128),
  response_mode        VARCHAR(32)   NOT NULL,
  owner_run_id         VARCHAR(64)   NOT NULL,
  state                VARCHAR(16)   NOT NULL,
  accepted_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  created_at           TIMESTAMP(6) WITH TIME ZONE,
  ready_at             TIMESTAMP(6) WITH TIME ZONE,
  handed_over_at       TIMESTAMP(6) WITH TIME ZONE,
  running_at           TIMESTAMP(6) WITH TIME ZONE,
  cancelling_at        TIMESTAMP(6) WITH TIME ZONE,
  ended_at             TIMESTAMP(6) WITH TIME ZONE,
  updated_at           TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  outcome_code         VARCHAR(64),
  failure_code         VARCHAR(128),
  upstream_requests    INTEGER       DEFAULT 0 NOT NULL,
  max_duration_seconds INTEGER,
  duration_seconds     BIGINT,
  duration_confirmed   BOOLEAN       DEFAULT FALSE NOT NULL,
  next_check_at        TIMESTAMP(6) WITH TIME ZONE,
  attempt_count        INTEGER       DEFAULT 0 NOT NULL,
  CONSTRAINT ledger_sessions_pk PRIMARY KEY (gateway_id),
  -- Several NULLs are allowed (both databases treat NULLs as distinct here).
  CONSTRAINT ledger_sessions_upstream_uq UNIQUE (upstream_id),
  -- The codes of SessionState; a new state needs a migration.
  CONSTRAINT ledger_sessions_state_ck CHECK (state IN (
    'pending', 'created', 'ready', 'consumed', 'handed_out', 'running', 'cancelling',
    'completed', 'failed', 'cancelled', 'rejected', 'lost')),
  CONSTRAINT ledger_sessions_counts_ck CHECK (
    upstream_requests >= 0 AND attempt_count >= 0 AND duration_seconds >= 0)
);

-- The keeper's round: its own sessions due a check (terminal rows have no next check).
CREATE INDEX ledger_sessions_due_ix ON ledger_sessions (owner_run_id, next_check_at);

-- Orphan claiming and operators' listings by state, oldest first. Terminal rows pile up over time;
-- the state leads so that the few live ones are found without reading the others.
CREATE INDEX ledger_sessions_state_ix ON ledger_sessions (state, accepted_at);
