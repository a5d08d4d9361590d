-- The session listings (GET /api/avatar/sessions and /api/admin/sessions): newest first, by
-- principal or for everyone, paged by (accepted_at, gateway_id). Portable between H2 2.x and
-- PostgreSQL 15, as V1.

-- A principal's own sessions, newest first: the principal leads, so that one caller's page reads
-- only that caller's rows however many others the books hold. ASSUMPTION: principal names stay
-- well below PostgreSQL's B-tree entry limit (about 2,700 bytes); API key names are at most 64
-- characters and JWT subjects are short identifiers in practice.
CREATE INDEX ledger_sessions_principal_ix ON ledger_sessions (principal_name, accepted_at, gateway_id);

-- Everyone's sessions, newest first, for admins.
CREATE INDEX ledger_sessions_accepted_ix ON ledger_sessions (accepted_at, gateway_id);
