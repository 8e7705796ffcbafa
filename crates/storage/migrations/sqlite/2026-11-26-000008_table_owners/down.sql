ALTER TABLE criteria_tables DROP COLUMN owner_id;
