"""What every screen shares: base screen, dialogs, worker errors, progress, help."""
