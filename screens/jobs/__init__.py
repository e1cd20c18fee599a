"""Jobs: the send journal's jobs, resumed and exported."""
