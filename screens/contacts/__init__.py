"""Contacts: the list, groups, blacklist, import/export and email validation."""
