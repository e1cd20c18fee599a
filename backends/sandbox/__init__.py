"""Emulators of the providers, on Starlette: the `--sandbox` console and every test.

One emulator per provider (`nrs360/`, `xebo.py`, `collect/`, `eightbyeight/`,
`xerochat/`) answers as the provider's reference says, with seeded demo data; `core.py`
holds what they share: the request log every test asserts on, the rules middleware that
refuses a request the provider's rules (`backends/<provider>/rules.py`) forbid with its
documented error, and the loopback server; `faults.py` injects latency, 429, 5xx and
dropped connections.
"""
