-- Decisions (quyết định khen thưởng) and the award register they make: which unit holds which
-- catalogue entry for which year, by which decision, and the decision that revoked it if one
-- did. A decided proposal names its decision. The number is one decision per authority.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY NOT NULL,
    number TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    authority_id TEXT NOT NULL REFERENCES units (id),
    signer TEXT NOT NULL,
    entry TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX decisions_number ON decisions (authority_id, number);

CREATE TABLE register_entries (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    entry TEXT NOT NULL,
    year INTEGER NOT NULL,
    award_id TEXT REFERENCES awards (id),
    revoked_by TEXT REFERENCES decisions (id),
    PRIMARY KEY (decision_id, unit_id)
);
CREATE INDEX register_entries_unit ON register_entries (unit_id, year);

ALTER TABLE awards ADD COLUMN decision_id TEXT REFERENCES decisions (id);
