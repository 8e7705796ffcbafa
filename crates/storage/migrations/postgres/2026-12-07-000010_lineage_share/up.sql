-- How much of a unit went into the related unit (whole, or the main or another part of a
-- divided unit), and one row per link: the same units, kind and date are one link, whatever
-- request recorded it. Duplicates recorded before are folded into the earliest.
ALTER TABLE lineage_links ADD COLUMN share TEXT NOT NULL DEFAULT 'whole';

DELETE FROM lineage_links
WHERE id NOT IN (
    SELECT MIN(id) FROM lineage_links
    GROUP BY unit_id, related_unit_id, kind, effective_date
);

CREATE UNIQUE INDEX lineage_links_one_per_change
    ON lineage_links (unit_id, related_unit_id, kind, effective_date);
