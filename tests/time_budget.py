"""A wall-clock budget for hostile-input tests, so a catastrophic regex fails the test instead of hanging.

SIGALRM interrupts Python code and the `re` engine alike (it checks for signals while matching), so a call
that runs past its budget raises `BudgetExceeded` where it is. Budgets are generous (normal calls take
well under a second): they catch exponential or quadratic blow-ups, not ordinary slowness of a busy
machine. POSIX and the main thread only, which is where pytest runs tests.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

CALL_BUDGET_S = 10.0  # one extractor or engine call on one hostile input


class BudgetExceeded(AssertionError):
    """Raised inside the call that ran past its budget (an AssertionError, so pytest reports a failure)."""


@contextmanager
def within(seconds: float, what: str) -> Iterator[None]:
    """Fail with BudgetExceeded when the block runs longer than `seconds` of wall-clock time."""
    if seconds <= 0:
        raise ValueError(f"budget must be positive, got {seconds!r} s")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("within() needs the main thread: SIGALRM is delivered there only")
    started = time.monotonic()

    def on_alarm(signum, frame) -> None:
        raise BudgetExceeded(f"{what} ran past its budget of {seconds:g} s (catastrophic backtracking?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    if elapsed > seconds:  # the alarm came while a handler could not run; still over budget
        raise BudgetExceeded(f"{what} took {elapsed:.1f} s, over its budget of {seconds:g} s")


def bounded(call: Callable[..., T], *args, budget_s: float = CALL_BUDGET_S, **kwargs) -> T:
    """`call(*args, **kwargs)` within `budget_s` seconds (default CALL_BUDGET_S)."""
    with within(budget_s, getattr(call, "__name__", repr(call))):
        return call(*args, **kwargs)
