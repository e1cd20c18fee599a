"""Provider clients behind one provider-neutral async interface, and their emulators.

`base.py` is what every backend has (metadata, connection, `supports`, `capability`),
`capabilities/` the per-capability interfaces (SmsApi, ContactsApi, ...) a provider
inherits or not (its capabilities are derived from them), and `registry.py` maps a
provider name to its class; `http.py` is the one HTTP layer (auth, timeouts, retries of
idempotent reads, pagination, secret-free logging) and `errors.py` the one error tree.
Each provider has its client (`nrs360*.py`, `xebo.py`, `collect.py`, `eightbyeight.py`,
`xerochat.py`) and its request rules (`*_rules.py`, on `rules.py`): every documented
endpoint, field and limit with the reference sentence it comes from, checked before a
request leaves. `models*.py` hold the provider-neutral data. `sandbox/` emulates the
providers. This package never imports `tui`, `screens` or Textual.
"""
