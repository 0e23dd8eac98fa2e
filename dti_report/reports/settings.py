"""Report settings: who issues the reports, who signs, who receives them.

Agencies are settings, not code: since the 2025 merger the Sở Thông tin và
Truyền thông's work sits in the Sở Khoa học và Công nghệ in most provinces, and
a settings file naming that agency must just work. A workspace file only needs
the keys that differ from the shipped defaults (dti_report/data/settings/).
"""

from __future__ import annotations

from dti_report.core.errors import DtiError
import datetime as dt
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dti_report.core.text import nfc_tree
from dti_report.forms.catalog import schema_message

DEFAULT_SETTINGS = "hcm-stttt.yaml"


class SettingsError(DtiError):
    """A settings file that cannot be used; the message is for the user, in Vietnamese."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _lines(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    return tuple(str(v).strip() for v in value if str(v).strip())


class Signer(_Model):
    authority: str = ""   # "KT. GIÁM ĐỐC", "TL. GIÁM ĐỐC"…; blank when the head signs
    title: str = ""       # "PHÓ GIÁM ĐỐC"
    name: str = ""

    @field_validator("authority", "title", "name", mode="before")
    @classmethod
    def _blank(cls, value):
        return "" if value is None else str(value)


class TemplatePaths(_Model):
    report: Path | None = None
    scorecard: Path | None = None
    kh68: Path | None = None     # bao-cao-kh68.docx: the report on KH 68/KH-UBND (Thành phố Hồ Chí Minh)
    kh4233: Path | None = None   # bao-cao-kh4233.docx: the report on KH 4233/KH-UBND (Ninh Thuận)


# Words after which a Vietnamese agency name starts a new capitalised part
# ("Sở Thông tin và Truyền thông", "Sở Lao động - Thương binh và Xã hội").
_NAME_BREAKS = {"sở", "ban", "và", "-", "–", "cục", "ủy", "ủy ban", "chi", "nhánh"}
# Printed where the signer's name goes when the settings leave it blank: visible, so the
# document is not signed without it.
SIGNER_PLACEHOLDER = "(Họ và tên)"


def running_name(lines: tuple[str, ...]) -> str:
    """'SỞ THÔNG TIN VÀ TRUYỀN THÔNG' -> 'Sở Thông tin và Truyền thông': the agency as a sentence
    names it, when the settings do not give that form (agency_name)."""
    words = " ".join(lines).lower().split()
    out = []
    for i, word in enumerate(words):
        if word == "và" or word in ("-", "–"):
            out.append(word)
        elif i == 0 or words[i - 1] in _NAME_BREAKS:
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


class ReportSettings(_Model):
    parent_agency: tuple[str, ...] = ()
    agency: tuple[str, ...] = Field(min_length=1)
    # The agency in running text ("Sở Thông tin và Truyền thông"); blank: made from `agency`.
    agency_name: str = ""
    document_symbol: str = ""
    document_number: str = ""
    place: str
    report_date: dt.date | None = None
    signer: Signer = Signer()
    recipients: tuple[str, ...] = ()
    archive: str = "VT"
    # Units a report's ranking tables list at most (the highest ranked): a national batch's
    # ten thousand communes are not a document to sign; every unit is in the analysts'
    # workbook and has its scorecard.
    ranking_rows: int = Field(1000, ge=1)
    templates: TemplatePaths = TemplatePaths()

    @field_validator("parent_agency", "agency", "recipients", mode="before")
    @classmethod
    def _as_lines(cls, value):
        return _lines(value)

    @field_validator("recipients", mode="after")
    @classmethod
    def _no_bullets(cls, value):
        # The template prints the "- " itself.
        return tuple(line.lstrip("-–• ").strip() for line in value)

    @field_validator("document_symbol", "document_number", "archive", "agency_name", mode="before")
    @classmethod
    def _text(cls, value):
        return "" if value is None else str(value).strip()

    @property
    def agency_text(self) -> str:
        return self.agency_name or running_name(self.agency)

    def warnings(self) -> list[str]:
        """What a run should tell the user before a document goes out for signature."""
        out = []
        if not self.signer.name.strip():
            out.append(f"Chưa có họ tên người ký (mục signer.name trong tệp cài đặt): các văn bản in dòng "
                       f"\"{SIGNER_PLACEHOLDER}\" ở chỗ ký tên.")
        return out

    def date(self, today: dt.date | None = None) -> dt.date:
        return self.report_date or today or dt.date.today()

    def number_line(self) -> str:
        """'Số: 12/BC-STTTT', or 'Số:      /BC-STTTT': room for the clerk to write the number in."""
        number = self.document_number or " " * 5
        return f"Số: {number}/{self.document_symbol}" if self.document_symbol else f"Số: {number}"


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path, label: str) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"không đọc được tệp cài đặt {label}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"tệp cài đặt {label} không phải YAML hợp lệ: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SettingsError(f"tệp cài đặt {label} phải là một bảng khóa: giá trị")
    return nfc_tree(raw)


def default_settings_data() -> dict:
    entry = resources.files("dti_report.data.settings") / DEFAULT_SETTINGS
    with resources.as_file(entry) as path:
        return _read_yaml(path, DEFAULT_SETTINGS)


def load_settings(path: Path | str | None = None) -> ReportSettings:
    """The shipped defaults, overlaid with the workspace file if one is given.
    Template paths in the workspace file are relative to that file."""
    data = default_settings_data()
    label = DEFAULT_SETTINGS
    if path is not None:
        path = Path(path)
        label = str(path)
        own = _read_yaml(path, label)
        templates = own.get("templates")
        if isinstance(templates, dict):
            own["templates"] = {k: (str((path.parent / v).resolve()) if v else v) for k, v in templates.items()}
        data = _deep_merge(data, own)
    try:
        return ReportSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"tệp cài đặt {label}: mục '{where}': {schema_message(first)}") from exc
