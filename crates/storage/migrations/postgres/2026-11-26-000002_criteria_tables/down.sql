DROP TABLE assigned_targets;
DROP TABLE default_targets;
ALTER TABLE terms DROP COLUMN table_number;
ALTER TABLE terms DROP COLUMN table_id;
DROP TABLE criteria;
DROP TABLE table_versions;
DROP TABLE criteria_tables;
