"""Accounts: add, edit, remove and pick the active provider account."""
