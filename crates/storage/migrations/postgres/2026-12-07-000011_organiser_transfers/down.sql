DROP TABLE organiser_transfers;
