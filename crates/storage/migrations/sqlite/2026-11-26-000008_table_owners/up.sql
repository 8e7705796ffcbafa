-- The organiser unit a criteria table belongs to: its officers may edit, import and publish it.
-- NULL for tables created by administrators, which only administrators edit.

ALTER TABLE criteria_tables ADD COLUMN owner_id TEXT REFERENCES units (id);
