DROP TABLE award_revocations;
DROP TABLE ballots;
DROP TABLE awards;
DROP TABLE tie_decisions;
