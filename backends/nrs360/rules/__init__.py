"""360nrs request rules, written from its reference (`360nrs-api.txt`).

Every endpoint the reference documents (method and path below `/api/rest`), with the
checks its parameter tables state, each citing its sentence. The client refuses a request
breaking one before it leaves (`backends/nrs360/client.py`); the emulator answers it with the
provider's error body after auth (`backends/sandbox/nrs360/app.py`).

Status and code of a violation come from the reference's error table ("Error Code | HTTP
Code | Description") where it has a line for the failure (104 text missing, 105 too long,
106/107 sender, 110 parts, 113 coding, 119/121 dates, 126 empty campaign name, 130/131
voice language/gender, 176/177 retries, 183-189/194 available times ...). Where it has
none, the failure is "422 | 422 | Input validation error", the platform's (Laravel)
validation error, as the reference's own examples show ("The email field is required.").

One `RULES`, assembled here from the areas' modules (`sending`, `reports`, `contacts`,
`lists`, `tools`), each declaring its endpoints with `add`, on the send options shared
by the send endpoints (`options`) and the error table and generic checks (`checks`).
"""

from __future__ import annotations

from backends.nrs360.rules import contacts, lists, reports, sending, tools
from backends.nrs360.rules.checks import ERROR_TABLE, MAX_PAGE, SCHEDULE_HORIZON
from backends.rules import Rules, Violation

__all__ = ["ERROR_TABLE", "MAX_PAGE", "RULES", "SCHEDULE_HORIZON"]

RULES = Rules(
    "360nrs",
    # Neither is in the error table; the emulator answers the API's generic
    # "Error response (HTTP 404) ... Resource not found" and a 405 of the same shape.
    unknown=Violation("is not an endpoint the 360nrs reference documents", 404, 404),
    wrong_method=Violation("uses a method the 360nrs reference does not document here", 405, 405),
)
# In the reference's order, which is the order they were declared in before the split.
for _area in (sending, reports, contacts, lists, tools):
    _area.add(RULES)
