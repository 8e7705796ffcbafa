-- Recorded tie decisions, award proposals, their secret-ballot counts (never a voter) and
-- revocations (the award stays, marked revoked).

CREATE TABLE tie_decisions (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    unit_order TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year, seq),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

CREATE TABLE awards (
    id TEXT PRIMARY KEY NOT NULL,
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    submission_letter TEXT NOT NULL,
    minutes TEXT NOT NULL,
    achievement_report TEXT NOT NULL,
    override_reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    FOREIGN KEY (cluster_id, year, unit_id) REFERENCES term_members (cluster_id, year, unit_id)
);
CREATE INDEX awards_term ON awards (cluster_id, year, id);

CREATE TABLE ballots (
    award_id TEXT PRIMARY KEY NOT NULL REFERENCES awards (id),
    eligible BIGINT NOT NULL,
    present BIGINT NOT NULL,
    valid BIGINT NOT NULL,
    yes BIGINT NOT NULL,
    no BIGINT NOT NULL,
    threshold TEXT NOT NULL,
    base TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE award_revocations (
    award_id TEXT PRIMARY KEY NOT NULL REFERENCES awards (id),
    legal_ground TEXT NOT NULL,
    legal_act TEXT NOT NULL,
    revoked_at BIGINT NOT NULL
);
