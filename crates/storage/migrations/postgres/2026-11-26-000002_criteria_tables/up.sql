-- Criteria tables with versions (one row per node, the spreadsheet layout), the binding of a
-- published version to a term, and the term's default and assigned targets.

CREATE TABLE criteria_tables (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    legal_act TEXT NOT NULL,
    legal_date TEXT,
    scale TEXT NOT NULL,
    rounding_step TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX criteria_tables_title_key ON criteria_tables (title_key, id);

CREATE TABLE table_versions (
    table_id TEXT NOT NULL REFERENCES criteria_tables (id),
    number INTEGER NOT NULL,
    state TEXT NOT NULL,
    published_at BIGINT,
    updated_at BIGINT NOT NULL,
    etag BIGINT NOT NULL,
    PRIMARY KEY (table_id, number)
);

CREATE TABLE criteria (
    table_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    max_points TEXT NOT NULL,
    bonus_cap TEXT NOT NULL,
    rule_kind TEXT NOT NULL,
    rule_params TEXT NOT NULL,
    metric TEXT NOT NULL,
    mandatory TEXT NOT NULL,
    evidence_required TEXT NOT NULL,
    PRIMARY KEY (table_id, number, position),
    UNIQUE (table_id, number, code),
    FOREIGN KEY (table_id, number) REFERENCES table_versions (table_id, number)
);

ALTER TABLE terms ADD COLUMN table_id TEXT REFERENCES criteria_tables (id);
ALTER TABLE terms ADD COLUMN table_number INTEGER;

CREATE TABLE default_targets (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    criterion_code TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, criterion_code),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

CREATE TABLE assigned_targets (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    criterion_code TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, unit_id, criterion_code),
    FOREIGN KEY (cluster_id, year, unit_id) REFERENCES term_members (cluster_id, year, unit_id)
);
