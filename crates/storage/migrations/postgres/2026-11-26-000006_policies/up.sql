-- A term's scoring policy (tie-break chain, classification levels, quotas, ballot rule), as
-- JSON written and read by thidua-storage; absent means the defaults.

CREATE TABLE scoring_policies (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    policy TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, year),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);
