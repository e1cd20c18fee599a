"""The one key map: the keys of the actions every screen shares, written once.

Screens build these bindings with `std_key()`, so `n` means New, `r` Reload and `[`/`]` page
on every screen; the footer and the help (F1, ?) both show what `std_key()` made. A screen's
own extra actions keep their own keys but never one of these (tests/screens/test_keys.py
checks every area's screen).

Single letters reach a screen only while focus is not in an Input (the Input types them):
screens whose main focus is a form give their main actions Ctrl keys that Textual's Input
does not take (it takes Ctrl+A/C/D/E/K/U/V/W/X); a shared action with a `form` key takes
it there too (`std_key(..., form=True)`: Reload is also Ctrl+R, shown in the footer).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class StandardKey:
    """One shared action: its Textual key list and the words shown for it."""

    keys: str
    description: str
    #: The Ctrl key it also has on screens whose main focus is a form (none: no such key).
    form: str = ""
    #: What the footer shows for it (by default Textual's name of the last key).
    display: str | None = None


#: The shared actions by name; a binding made from one carries the id "std.<name>".
STANDARD: dict[str, StandardKey] = {
    "new": StandardKey("n", "New"),
    "edit": StandardKey("e", "Edit"),
    "delete": StandardKey("d,delete", "Delete"),
    "reload": StandardKey("r", "Reload", form="ctrl+r"),
    "filter": StandardKey("slash", "Filter"),
    "open": StandardKey("enter", "Open"),
    "back": StandardKey("escape", "Back"),
    "prev_page": StandardKey("left_square_bracket,pageup", "Prev page", display="["),
    "next_page": StandardKey("right_square_bracket,pagedown", "Next page", display="]"),
    "help": StandardKey("f1,question_mark", "Help"),
    # Compose (after a send) and Jobs follow a job's delivery (screens/widgets/funnel.py).
    "watch": StandardKey("w", "Watch delivery", form="ctrl+n"),
}

#: Each standard key and the shared action it belongs to.
STANDARD_KEYS: dict[str, str] = {
    k: name for name, std in STANDARD.items() for k in std.keys.split(",")
}


def std_key(
    name: str,
    action: str | None = None,
    description: str | None = None,
    *,
    show: bool = True,
    form: bool = False,
) -> Binding:
    """The binding of the shared action `name`: its keys from the map, the screen's own
    action method (by default the action's name) and words (by default the map's).
    `form`: the screen's focus is mostly in an input, so the action also takes its Ctrl
    key, listed first so the footer shows the key that works from there."""
    std = STANDARD[name]
    if form and not std.form:
        raise ValueError(f"{name} has no Ctrl key for form screens")
    return Binding(
        f"{std.form},{std.keys}" if form else std.keys,
        action or name,
        description or std.description,
        show=show,
        key_display=std.display,
        id=f"std.{name}",
    )
