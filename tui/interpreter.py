"""Process-wide interpreter settings the console needs: the GIL's switch interval and the
garbage collector's thresholds (no Textual here: set before the console imports it)."""

from __future__ import annotations

import gc
import sys

_tuned = False
_frozen = False
_held = False


def tune_interpreter() -> None:
    """Set the process-wide GIL and GC settings the console needs, once per process.

    Work handed to threads (CSV parsing, journaling, exports) holds the GIL, and the UI
    loop waits a whole switch interval to get it back after each select(): at the default
    5 ms a screen update of a few dozen loop turns took over 100 ms. A full garbage
    collection walks every object, holding the GIL: with a bulk send's recipients in
    memory it took 100-150 ms, and the default thresholds ran several while a job was
    journaled. Hence fewer, larger young collections and rarer full ones, with what the
    console built at start-up frozen out of them (measured by tests/bench/bench_ui_stall.py).
    Set before the console imports Textual: at the default thresholds its start (the
    imports and the first screen) ran about 120 young collections before the first frame.
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    sys.setswitchinterval(0.001)
    tune_collections(50_000)


def tune_collections(young: int = 5_000) -> None:
    """Fewer, larger young collections and rarer full ones.

    At the default thresholds (700, 10, 10) a 100,000-recipient `sms send` ran ~750
    collections, six of them full ones walking every recipient (30-80 ms each): 0.47 s,
    a tenth of its CPU; at (5,000, 20, 100) 67 collections took 0.13 s. A command keeps
    young collections at 5,000 so cyclic garbage does not pile up (when httpx's answers
    still waited in reference cycles, 50,000 took a send's peak from 74 to 99 MB). The
    console takes 50,000 (tune_interpreter; its UI stalls were measured with it)."""
    gc.set_threshold(young, 20, 100)


def hold_collections() -> None:
    """No garbage collection until `freeze_start_up` (the console's first frame).

    At the console's thresholds one young collection still ran before the first frame,
    walking the 50,000 objects start-up had just built, all alive (7-8 ms of the frame).
    What start-up leaves as garbage is a few hundred objects, frozen with the rest."""
    global _held
    if not _frozen and gc.isenabled():
        _held = True
        gc.disable()


def freeze_start_up() -> None:
    """Freeze what start-up built (gc.freeze), once per process: later collections skip
    it; freezing again would also freeze the garbage of an earlier app (tests run many in
    one process). Collections held by `hold_collections` run again from here."""
    global _frozen, _held
    if _frozen:
        return
    _frozen = True
    gc.freeze()
    if _held:
        _held = False
        gc.enable()
