"""Pure compose-time facts about messages (segments, placeholders): no I/O, no UI."""
