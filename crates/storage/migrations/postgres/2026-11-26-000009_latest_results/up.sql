-- The latest result of every (member, criterion) of a term, packed in one row per term and
-- rewritten in the same transaction as every result stored (see storage/src/latest.rs).
-- `results` stays the record of every revision; a term without this row is read from it.

CREATE TABLE latest_results (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    packed BYTEA NOT NULL,
    PRIMARY KEY (cluster_id, year),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);

-- Stored out of line uncompressed: every import rewrites its term's row, and compressing some
-- 27 KB per term on each write cost the import more than the bytes it saved.
ALTER TABLE latest_results ALTER COLUMN packed SET STORAGE EXTERNAL;
