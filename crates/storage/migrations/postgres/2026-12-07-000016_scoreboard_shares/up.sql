-- Share links of a term's scoreboard, for the cluster meeting: the token is stored as its
-- SHA-256 digest only; a link opens one term's scoreboard page until it expires or is revoked.
CREATE TABLE scoreboard_shares (
    id TEXT PRIMARY KEY NOT NULL,
    cluster_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    label TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX scoreboard_shares_by_term ON scoreboard_shares (cluster_id, year, created_at);
