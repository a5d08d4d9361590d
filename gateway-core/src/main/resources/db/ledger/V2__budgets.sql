-- Budgets (docs/budgets.md), portable between H2 2.x and PostgreSQL 15 like V1. Nothing here is
-- written while no budget is configured: the connect path then touches none of these tables, and
-- ledger_sessions keeps its indexes.

-- One row per scope whose budgets are checked: 'global', or 'principal:' and the SHA-256 (hex) of
-- the principal's name (a fixed size, and no names in the key). It holds no count: a connect locks
-- it (SELECT ... FOR UPDATE) in the transaction that reads the scope's use and records its intent,
-- so that checks of one scope take turns, across threads and across gateway instances sharing the
-- ledger. Created on first use.
CREATE TABLE ledger_budget_scopes (
  scope      VARCHAR(80) NOT NULL,
  created_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
  CONSTRAINT ledger_budget_scopes_pk PRIMARY KEY (scope)
);

-- One row per session admitted under a budget, written with its intent: which principal (its key
-- as above) and UTC day it counts for, and the seconds reserved for it. What it costs is not kept
-- here: it is derived from its ledger_sessions row (same gateway_id) whenever use is read, so the
-- settlement is the books' own duration and nothing can drift. No foreign key: pruning old session
-- rows must not be blocked by their reservations.
CREATE TABLE ledger_budget_reservations (
  gateway_id       VARCHAR(36) NOT NULL,
  principal_key    VARCHAR(64) NOT NULL,
  usage_day        DATE        NOT NULL,
  reserved_seconds INTEGER     NOT NULL,
  CONSTRAINT ledger_budget_reservations_pk PRIMARY KEY (gateway_id),
  CONSTRAINT ledger_budget_reservations_ck CHECK (reserved_seconds >= 0)
);

-- A principal's day, and the whole gateway's day.
CREATE INDEX ledger_budget_reservations_principal_ix
  ON ledger_budget_reservations (principal_key, usage_day);
CREATE INDEX ledger_budget_reservations_day_ix ON ledger_budget_reservations (usage_day);
