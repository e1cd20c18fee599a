"""Compose: write a campaign and send it."""
