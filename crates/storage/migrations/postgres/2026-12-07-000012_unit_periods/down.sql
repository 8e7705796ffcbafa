DROP TABLE unit_periods;
