-- Foundation: units and lineage, clusters, terms with members and leadership, covenants,
-- and request ids for idempotent creates. Identical in shape to the SQLite migration.

CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    scheme TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES units (id),
    valid_from TEXT,
    valid_to TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (scheme, code)
);
CREATE INDEX units_parent ON units (parent_id, id);
CREATE INDEX units_name_key ON units (name_key);

CREATE TABLE lineage_links (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    related_unit_id TEXT NOT NULL REFERENCES units (id),
    legal_act TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX lineage_links_unit ON lineage_links (unit_id);
CREATE INDEX lineage_links_related ON lineage_links (related_unit_id);

CREATE TABLE clusters (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    organiser_id TEXT NOT NULL REFERENCES units (id),
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX clusters_name_key ON clusters (name_key, id);

CREATE TABLE terms (
    cluster_id TEXT NOT NULL REFERENCES clusters (id),
    year INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    cluster_kind TEXT NOT NULL,
    organiser_id TEXT NOT NULL REFERENCES units (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year)
);

-- cluster_kind and organiser_id repeat the term's so that the database itself enforces
-- "a unit is in at most one term of the same kind per year under the same organiser".
CREATE TABLE term_members (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    position INTEGER NOT NULL,
    cluster_kind TEXT NOT NULL,
    organiser_id TEXT NOT NULL,
    PRIMARY KEY (cluster_id, year, unit_id),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year),
    UNIQUE (unit_id, year, cluster_kind, organiser_id)
);

CREATE TABLE leadership_records (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    leader_id TEXT REFERENCES units (id),
    deputy_ids TEXT NOT NULL,
    method TEXT NOT NULL,
    deciding_act TEXT NOT NULL,
    decided_on TEXT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, seq),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

CREATE TABLE covenants (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    theme TEXT NOT NULL,
    body TEXT NOT NULL,
    commitments TEXT NOT NULL,
    place TEXT NOT NULL,
    signing_date TEXT,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

-- A signature references the membership, so a member who signed cannot be removed.
CREATE TABLE covenant_signatures (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    signatory_name TEXT NOT NULL,
    signatory_title TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, unit_id),
    FOREIGN KEY (cluster_id, year, unit_id) REFERENCES term_members (cluster_id, year, unit_id)
);

CREATE TABLE covenant_witnesses (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    person_name TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id TEXT REFERENCES units (id),
    PRIMARY KEY (cluster_id, year, seq),
    FOREIGN KEY (cluster_id, year) REFERENCES covenants (cluster_id, year)
);

CREATE TABLE request_ids (
    request_id TEXT PRIMARY KEY NOT NULL,
    method TEXT NOT NULL,
    digest TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
