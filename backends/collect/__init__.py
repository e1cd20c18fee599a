"""Collect: the document-request client (`client.py`) and its request rules (`rules.py`).

Imports nothing itself, so the sandbox can use the rules without loading the client.
"""
