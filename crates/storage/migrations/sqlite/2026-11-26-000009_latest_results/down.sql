DROP TABLE latest_results;
