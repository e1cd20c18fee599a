"""8x8 SMS Engage: the survey batch client (`client.py`), its models (`models.py`) and its
request rules (`rules.py`).

Imports nothing itself: the capability interfaces name the batch models, and the sandbox
uses the rules, without loading the client.
"""
