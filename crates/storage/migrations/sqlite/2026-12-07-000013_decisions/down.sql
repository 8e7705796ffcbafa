ALTER TABLE awards DROP COLUMN decision_id;
DROP TABLE register_entries;
DROP TABLE decisions;
