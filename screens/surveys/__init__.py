"""Surveys: survey requests and batches (Xebo, Collect, 8x8)."""
