"""Work done in the background: in a process of its own, its failure raised where the run
waits for it, stopped when the run fails first."""

import os
import signal
import sys
import time

import pytest

from dti_report.core.errors import DtiError
from dti_report.core.workers import ASIDE_NICENESS, Background, BackgroundError, NotReleased, largest_first_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pieces run in forked processes on Linux only")


class Refused(DtiError):
    pass


def _write_pid(target):
    target.write_text(str(os.getpid()))


def test_a_piece_runs_in_a_process_of_its_own_and_is_waited_for(tmp_path):
    with Background() as background:
        background.start(_write_pid, tmp_path / "a")
        background.start(_write_pid, tmp_path / "b")
    pids = {int((tmp_path / name).read_text()) for name in "ab"}
    assert len(pids) == 2 and os.getpid() not in pids


def test_not_enabled_the_piece_runs_at_once_here(tmp_path):
    background = Background(enabled=False)
    background.start(_write_pid, tmp_path / "a")
    assert int((tmp_path / "a").read_text()) == os.getpid()
    background.wait()


def _refuse():
    raise Refused("sổ tính không ghi được")


def _os_error(path):
    raise PermissionError(13, "Permission denied", str(path))


def test_a_failure_is_raised_as_it_was_where_the_run_waits(tmp_path):
    background = Background()
    background.start(_refuse)
    with pytest.raises(Refused, match="sổ tính không ghi được"):
        background.wait()
    background.start(_os_error, tmp_path / "x.xlsx")
    with pytest.raises(PermissionError) as err:
        background.wait()
    assert err.value.filename == str(tmp_path / "x.xlsx")


def _killed():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_piece_killed_without_a_word_is_a_failure():
    background = Background()
    background.start(_killed)
    with pytest.raises(BackgroundError):
        background.wait()


def test_leaving_by_an_error_stops_what_still_runs(tmp_path):
    start = time.monotonic()
    with pytest.raises(RuntimeError):
        with Background() as background:
            background.start(time.sleep, 30)
            raise RuntimeError("the run failed")
    assert time.monotonic() - start < 10


def _held(target, released):
    target.write_text(repr(released()))


def test_a_held_piece_waits_for_its_release_and_gets_what_is_sent(tmp_path):
    background = Background()
    background.start(_held, tmp_path / "a", held=True)
    time.sleep(0.2)
    assert not (tmp_path / "a").exists()  # still waiting
    background.release(("2024-01-10T09:00:00+07:00", [["Đọc biểu mẫu", 1.5]]))
    background.wait()
    assert (tmp_path / "a").read_text() == repr(("2024-01-10T09:00:00+07:00", [["Đọc biểu mẫu", 1.5]]))


def test_a_held_piece_never_released_keeps_nothing_and_says_so(tmp_path):
    background = Background()
    background.start(_held, tmp_path / "a", held=True)
    with pytest.raises(NotReleased):
        background.wait()
    assert not (tmp_path / "a").exists()


def test_a_held_piece_needs_a_process_of_its_own(tmp_path):
    with pytest.raises(ValueError):
        Background(enabled=False).start(_held, tmp_path / "a", held=True)


def _write_niceness(target):
    target.write_text(str(os.nice(0)))


def test_a_piece_set_aside_runs_at_a_lower_priority_and_the_others_as_the_run(tmp_path):
    with Background() as background:
        background.start(_write_niceness, tmp_path / "aside", aside=True)
        background.start(_write_niceness, tmp_path / "waited")
    own = os.nice(0)
    assert int((tmp_path / "aside").read_text()) == min(own + ASIDE_NICENESS, 19)
    assert int((tmp_path / "waited").read_text()) == own


def _logged_length(item):
    log, text = item
    with open(log, "a", encoding="utf-8") as out:
        out.write(text + "\n")
    return len(text)


def test_the_costliest_items_are_sent_first_and_the_results_come_in_the_items_order(tmp_path):
    log = tmp_path / "order"
    items = [(log, text) for text in ("bb", "a", "dddd", "ccc")]
    # One process takes the items one at a time, in the order they were sent.
    assert largest_first_map(_logged_length, items, 1, cost=lambda item: len(item[1])) == [2, 1, 4, 3]
    assert log.read_text(encoding="utf-8").split() == ["dddd", "ccc", "bb", "a"]
