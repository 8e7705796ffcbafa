DROP INDEX lineage_links_one_per_change;
ALTER TABLE lineage_links DROP COLUMN share;
