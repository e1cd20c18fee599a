"""Reports: campaigns, events, scheduled sends, coverage and flow answers."""
