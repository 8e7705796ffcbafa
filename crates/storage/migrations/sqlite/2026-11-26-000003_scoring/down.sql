DROP TABLE layer_scores;
DROP TABLE results;
DROP TABLE stage_events;
ALTER TABLE terms DROP COLUMN stage;
