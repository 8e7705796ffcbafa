DROP TABLE stage_deadlines;
