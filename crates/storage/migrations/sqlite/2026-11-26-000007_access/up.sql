-- API keys (stored as a SHA-256 digest and a display prefix, never in clear) and the
-- append-only, hash-chained audit log.

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_unit_id TEXT REFERENCES units (id),
    token_digest TEXT NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    time BIGINT NOT NULL,
    principal TEXT NOT NULL,
    method TEXT NOT NULL,
    resource TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_events_by_principal ON audit_events (principal, seq);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
