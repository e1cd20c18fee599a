"""Provider clients behind one provider-neutral async interface, and their emulators.

`base.py` is what every backend has (metadata, connection, `supports`, `capability`),
`capabilities/` the per-capability interfaces (SmsApi, ContactsApi, ...) a provider
inherits or not (its capabilities are derived from them), and `registry.py` maps a
provider name to its class; `http.py` is the one HTTP layer (auth, timeouts, retries of
idempotent reads, pagination, secret-free logging) and `errors.py` the one error tree.
`models/` holds the provider-neutral data. Each provider is a package (`nrs360/`, `xebo/`,
`collect/`, `eightbyeight/`, `xerochat/`) with its client (`client.py`), its request rules
(`rules.py`, on `rules.py` here: every documented endpoint, field and limit with the
reference sentence it comes from, checked before a request leaves) and the models only it
has (`models.py`). `sandbox/` emulates the providers. This package never imports `tui`,
`screens` or Textual.
"""
