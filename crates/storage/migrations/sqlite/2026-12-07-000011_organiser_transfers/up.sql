-- Successor organisers: each transfer of a cluster to the unit that took it over (the 2025
-- reform abolished districts and merged provinces). The cluster's organiser_id is the current
-- one; terms keep the organiser of their year.
CREATE TABLE organiser_transfers (
    cluster_id TEXT NOT NULL REFERENCES clusters (id),
    seq INTEGER NOT NULL,
    from_unit_id TEXT NOT NULL REFERENCES units (id),
    to_unit_id TEXT NOT NULL REFERENCES units (id),
    effective_date TEXT NOT NULL,
    legal_act TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, seq)
);
