"""360nrs: the client (`client.py`, assembled from `send.py`, `lists.py` and `reports.py`
on the helpers of `common.py`) and its request rules (`rules`).

Imports nothing itself, so the sandbox can use the rules without loading the client.
"""
