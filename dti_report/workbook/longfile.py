"""The long-format exchange file: one row per unit × field.

Columns `unit_code, field, value` (UTF-8, header row), CSV or XLSX; Sở TTTT's
adjustments add `reason`. Read into a frame of raw NFC strings, each row
located ("dòng 7"), so typing can name the row at fault.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dti_report.core.errors import DtiError
from dti_report.core.text import nfc

LONG_COLUMNS = ["unit_code", "field", "value"]
OVERRIDE_COLUMNS = LONG_COLUMNS + ["reason"]
FIRST_DATA_ROW = 2  # row 1 is the header


class LongFileError(DtiError):
    """The file cannot be used at all (missing, unreadable, wrong columns)."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        super().__init__(f"{Path(path).name}: {message}")


def read_long_file(path: Path | str, required: list[str] = LONG_COLUMNS) -> pd.DataFrame:
    """Raw rows located by file, sheet and cell ("dòng 7" in a CSV); every value a stripped NFC string."""
    path = Path(path)
    if not path.is_file():
        raise LongFileError(path, "không tìm thấy tệp")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine").astype(object)
        else:
            raise LongFileError(path, f"định dạng '{suffix}' không được hỗ trợ (dùng .csv hoặc .xlsx)")
    except LongFileError:
        raise
    except UnicodeDecodeError:
        raise LongFileError(path, "tệp CSV không phải mã UTF-8") from None
    except Exception:  # pandas/calamine raise many types for a broken file
        raise LongFileError(path, "không đọc được tệp: tệp hỏng hoặc không phải bảng tính") from None
    frame.columns = [nfc(str(c)).casefold() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LongFileError(path, f"thiếu cột {', '.join(missing)} ở dòng tiêu đề (cần: {', '.join(required)})")
    frame = frame[[c for c in OVERRIDE_COLUMNS if c in frame.columns]].copy()
    for column in frame.columns:
        frame[column] = frame[column].map(nfc)
    frame["file"] = path.name
    frame["sheet"] = ""
    frame["cell"] = [f"dòng {n}" for n in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))]
    # Rows left entirely blank (a trailing line in a spreadsheet) are not data.
    frame = frame[(frame[LONG_COLUMNS] != "").any(axis=1)]
    return frame.reset_index(drop=True)
