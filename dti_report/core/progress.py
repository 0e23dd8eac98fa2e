"""What a long call tells its caller as it goes: the phase it is in (a Vietnamese label
the command line shows as is) and how much of it is done.

Every call that takes a `progress` works without one (this base class shows nothing).
Each phase's start and end are recorded, so a script or a benchmark can print where a
run spends its time (`durations`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Iterator, TypeVar

# The phases of a run, in order; a phase with nothing to do is still announced.
READING = "Đọc biểu mẫu"
EVALUATING = "Đánh giá, chấm điểm"
RUN_FILES = "Ghi tệp kết quả"
WORKBOOK = "Sổ tính tổng hợp"
FEEDBACK = "Phiếu phản hồi đơn vị"
REPORTS = "Báo cáo kết quả"
SCORECARDS = "Phiếu kết quả đơn vị"
PLAN_REPORTS = "Báo cáo kế hoạch"
PDF = "Xuất PDF"
RECORDING = "Ghi kho dữ liệu"
# The analysts' workbook is written beside the phases after it (core.workers.Background); the
# run ends by waiting for it.
WORKBOOK_DONE = "Hoàn tất sổ tính tổng hợp"

T = TypeVar("T")


@dataclass
class Phase:
    name: str
    total: int | None        # None: not known in advance
    started: float           # time.perf_counter()
    ended: float | None = None
    done: int = 0

    @property
    def seconds(self) -> float:
        return (self.ended if self.ended is not None else time.perf_counter()) - self.started


class Progress:
    """Records the phases; subclasses show them (override `phase` and `advance`, calling these)."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []

    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins (the previous one ends); `total`: how many steps it has."""
        self.finish()
        self.phases.append(Phase(name, total, time.perf_counter()))

    def advance(self, n: int = 1) -> None:
        if self.phases:
            self.phases[-1].done += n

    def finish(self) -> None:
        """The current phase ends (the last one ends when nothing follows it)."""
        if self.phases and self.phases[-1].ended is None:
            self.phases[-1].ended = time.perf_counter()

    def counted(self, items: Iterable[T]) -> Iterator[T]:
        """The items as they come, one step each."""
        for item in items:
            self.advance()
            yield item

    def durations(self) -> list[tuple[str, float]]:
        """Each phase's name and seconds, in order."""
        return [(p.name, p.seconds) for p in self.phases]
