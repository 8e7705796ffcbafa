ALTER TABLE awards DROP COLUMN entry;
DROP TABLE catalogue_versions;
