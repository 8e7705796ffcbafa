-- Whether a unit has earlier periods (unit_periods): a term's members query reads this flag
-- and looks the periods up only for the few renamed units, instead of joining the periods into
-- every term read.
ALTER TABLE units ADD COLUMN has_past_periods BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE units SET has_past_periods = TRUE WHERE id IN (SELECT unit_id FROM unit_periods);
