"""The time budget of the hostile-input tests can fail: a catastrophic regex is stopped, not waited for."""

from __future__ import annotations

import re
import time

import pytest
from time_budget import BudgetExceeded, bounded, within


def test_a_catastrophic_regex_is_stopped_at_its_budget():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match=r"fullmatch ran past its budget of 0\.5 s"):
        bounded(re.fullmatch, r"(a+)+b", "a" * 64, budget_s=0.5)
    assert time.monotonic() - started < 5


def test_a_fast_call_returns_its_result_and_leaves_no_alarm():
    assert bounded(sum, [1, 2, 3], budget_s=1) == 6
    time.sleep(1.2)  # an alarm left armed would fire here


def test_a_sleeping_block_fails():
    with pytest.raises(BudgetExceeded), within(0.2, "sleep"):
        time.sleep(1)


def test_the_budget_must_be_positive():
    with pytest.raises(ValueError, match="budget must be positive"), within(0, "nothing"):
        pass
