-- Deadlines per stage of a term: late submissions are accepted but flagged.

CREATE TABLE stage_deadlines (
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    stage TEXT NOT NULL,
    deadline TEXT NOT NULL,
    PRIMARY KEY (cluster_id, year, stage),
    FOREIGN KEY (cluster_id, year) REFERENCES terms (cluster_id, year)
);
