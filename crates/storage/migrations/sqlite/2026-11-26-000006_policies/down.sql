DROP TABLE scoring_policies;
