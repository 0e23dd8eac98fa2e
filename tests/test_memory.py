"""The heap a run holds while it writes its outputs is left out of the collector's passes, and
given back to it afterwards, whatever happens in between."""

import gc

import pytest

from dti_report.core.memory import frozen_heap


class Held:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_what_is_held_is_frozen_in_the_block_and_not_after():
    before = gc.get_freeze_count()
    held = [Held() for _ in range(100)]
    with frozen_heap():
        assert gc.get_freeze_count() >= before + 100
    assert gc.get_freeze_count() == 0
    del held


def test_an_error_in_the_block_unfreezes_too():
    with pytest.raises(ValueError):
        with frozen_heap():
            raise ValueError
    assert gc.get_freeze_count() == 0


def test_cycles_made_in_the_block_are_still_collected():
    with frozen_heap():
        Held()
        assert gc.collect() >= 1
