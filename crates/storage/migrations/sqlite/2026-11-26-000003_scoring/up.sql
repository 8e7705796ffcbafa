-- The year-end cycle: each term's stage with its history, reported results (every revision
-- kept) and scores by layer (every score kept).

ALTER TABLE terms ADD COLUMN stage TEXT NOT NULL DEFAULT 'setup';

CREATE TABLE stage_events (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, seq),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

CREATE TABLE results (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    criterion_code TEXT NOT NULL,
    revision INTEGER NOT NULL,
    value TEXT NOT NULL,
    kind TEXT NOT NULL,
    evidence_ref TEXT NOT NULL,
    evidence_note TEXT NOT NULL,
    explanation TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, unit_id, criterion_code, revision),
    FOREIGN KEY (cluster_id, year, unit_id) REFERENCES term_members (cluster_id, year, unit_id)
);

CREATE TABLE layer_scores (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    criterion_code TEXT NOT NULL,
    layer TEXT NOT NULL,
    seq INTEGER NOT NULL,
    points TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, unit_id, criterion_code, layer, seq),
    FOREIGN KEY (cluster_id, year, unit_id) REFERENCES term_members (cluster_id, year, unit_id)
);
