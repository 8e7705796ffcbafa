ALTER TABLE units DROP COLUMN has_past_periods;
