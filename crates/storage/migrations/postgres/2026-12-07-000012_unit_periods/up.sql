-- A unit's earlier names, kinds and parents: each period with the first day it no longer held
-- (the unit row holds the current one). Terms of earlier years show the name of their year.
CREATE TABLE unit_periods (
    unit_id TEXT NOT NULL REFERENCES units (id),
    valid_until TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES units (id),
    PRIMARY KEY (unit_id, valid_until)
);
