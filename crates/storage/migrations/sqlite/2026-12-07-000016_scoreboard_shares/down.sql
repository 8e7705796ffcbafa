DROP TABLE scoreboard_shares;
