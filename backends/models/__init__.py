"""The provider-neutral models: what the capability interfaces take and return.

Provider JSON is mapped to these at the edge, in each provider's client. One module per
area, and importers name the module they need: `common` (account, SMS, OTP, contacts,
groups, conversations, pages), `send` (mail, voice, landing, WhatsApp templates,
scheduled sends), `lists` (blacklist, email validation, templates, forms), `reports`
(campaigns, events, certificates, tools, coverage prices) and `surveys` (survey sends
and document requests). Models only one provider has live in its package
(`backends/eightbyeight/models.py`, `backends/xerochat/models.py`).
"""
