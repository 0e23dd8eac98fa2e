"""The catalog: every form file found, validated and indexed by id and version.

Form files are YAML, one form each, with a `kind` naming its model (indicator
sets may omit it). Built-in forms ship in dti_report/data/forms; a province's
own index or next year's decision is a file in a folder the user names, added
beside them. Several versions of one id coexist: a workbook is read with the
version it was made from; new templates use the newest.

Validating every form takes a good part of a second, on every command. The
validated forms are kept in the user's cache folder (core.cache), keyed by the
content of every form file read, the code of the models and the versions of the
package, pydantic and Python: any change is a miss, and a missing, corrupt or
unwritable cache only means the files are parsed again.

The models come from the kinds registry (dti_report.kinds): this module only
reads, validates and indexes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import pydantic
import yaml
from pydantic import ValidationError

from dti_report.core.cache import cached_value, keep_value, value_key
from dti_report.core.errors import DtiError
from dti_report.core.text import nfc_tree
from dti_report.forms.base import Form
from dti_report.forms.periods import period_start

BUILTIN_FORMS = "dti_report.data.forms"
DEFAULT_KIND = "indicators"
FORM_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Problem:
    """One problem of a form file: where in the file, and what."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}" if self.path else f"{self.source}: {self.message}"


class CatalogError(DtiError):
    """Form files that cannot be used; names each file and the path inside it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    # Kept for callers that report one problem.
    @property
    def source(self) -> str:
        return self.problems[0].source

    @property
    def path(self) -> str:
        return self.problems[0].path


class UnknownFormError(DtiError, KeyError):
    def __init__(self, form_id: str, known: Iterable[str], version: str | None = None):
        self.form_id, self.version = form_id, version
        what = f"'{form_id}' phiên bản {version}" if version else f"'{form_id}'"
        self.message = f"Không có bộ chỉ số {what}. Các bộ chỉ số hiện có: {', '.join(sorted(known))}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _error_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# Pydantic's error types, as a form author reads them.
SCHEMA_MESSAGES = {
    "missing": "thiếu mục bắt buộc",
    "extra_forbidden": "mục này không có trong mẫu biểu mẫu (sai tên?)",
    "string_type": "phải là văn bản",
    "float_type": "phải là số", "float_parsing": "phải là số",
    "int_type": "phải là số nguyên", "int_parsing": "phải là số nguyên", "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false", "bool_parsing": "phải là true hoặc false",
    "date_type": "phải là ngày dạng năm-tháng-ngày (2023-01-10)", "date_parsing": "phải là ngày dạng năm-tháng-ngày (2023-01-10)",
    "date_from_datetime_parsing": "phải là ngày dạng năm-tháng-ngày (2023-01-10)",
    "dict_type": "phải là một bảng khóa: giá trị", "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "tuple_type": "phải là một danh sách", "list_type": "phải là một danh sách",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}", "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}", "less_than": "phải nhỏ hơn {lt}",
    "too_short": "cần ít nhất {min_length} phần tử", "too_long": "nhiều nhất {max_length} phần tử",
    "literal_error": "phải là một trong: {expected}",
    "union_tag_invalid": "loại '{tag}' không có; các loại hiện có: {expected_tags}",
    "union_tag_not_found": "thiếu mục '{discriminator}' cho biết loại",
    "string_pattern_mismatch": "không đúng dạng quy định ({pattern})",
}


def schema_message(error: dict) -> str:
    """A pydantic error in Vietnamese; our own validators already speak it."""
    if error["type"] in ("value_error", "assertion_error"):
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        return text.removeprefix("Value error, ")
    template = SCHEMA_MESSAGES.get(error["type"])
    if template is None:
        return f"giá trị không hợp lệ ({error['type']})"
    try:
        return template.format(**{k: v for k, v in error.get("ctx", {}).items()})
    except (KeyError, IndexError):
        return template.split(" {")[0]


def version_key(version: str) -> tuple:
    """"2023.1" < "2023.2" < "2024.1"; numeric parts compare as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.replace("-", ".").split("."))


def parse_form(raw, source: str, models: Mapping[str, type[Form]]) -> tuple[Form | None, list[Problem]]:
    """A validated form, or every problem found: schema errors first, then the checks
    of the form's own structure (sums, counts, ids)."""
    if not isinstance(raw, dict):
        return None, [Problem(source, "", "tệp phải là một bảng khóa: giá trị (một biểu mẫu)")]
    raw = nfc_tree(raw)
    kind = raw.pop("kind", DEFAULT_KIND)
    model = models.get(kind)
    if model is None:
        return None, [Problem(source, "kind", f"loại '{kind}' không có; các loại hiện có: {', '.join(models)}")]
    try:
        form = model.model_validate(raw)
    except ValidationError as exc:
        return None, [Problem(source, _error_path(e["loc"]), schema_message(e)) for e in exc.errors()]
    problems = [Problem(source, where, message) for where, message in form.structure_problems()]
    return (None if problems else form), problems


def read_form_file(path: Path, models: Mapping[str, type[Form]], source: str | None = None,
                   data: bytes | None = None) -> tuple[Form | None, list[Problem]]:
    """A form file parsed and validated (`data`: its bytes, when already read)."""
    source = source or path.name
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
        raw = yaml.load(text.replace("\r\n", "\n"), Loader=_LOADER)
    except OSError as exc:
        return None, [Problem(source, "", f"không đọc được tệp: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [Problem(source, "", "tệp không phải văn bản UTF-8")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        return None, [Problem(source, where, f"YAML không hợp lệ: {getattr(exc, 'problem', None) or exc}")]
    return parse_form(raw, source, models)


# LibYAML's parser when the machine has it: the built-in forms are a few thousand lines.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Catalog:
    """Every form by id and version; `get` gives the newest unless a version is asked."""

    models: Mapping[str, type[Form]]
    forms: dict[str, dict[str, Form]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, form: Form, origin: str) -> Problem | None:
        known = self.origins.get((form.id, form.version))
        if known is not None:
            return Problem(origin, "id", f"bộ chỉ số {form.id} phiên bản {form.version} đã có trong {known}")
        self.forms.setdefault(form.id, {})[form.version] = form
        self.origins[(form.id, form.version)] = origin
        return None

    def load_file(self, path: Path, source: str | None = None, data: bytes | None = None) -> list[Problem]:
        form, problems = read_form_file(path, self.models, source, data)
        if form is not None:
            duplicate = self.add(form, source or str(path))
            problems = [duplicate] if duplicate else []
        return problems

    def load_dir(self, folder: Path, prefix: str = "") -> list[Problem]:
        problems = []
        for path in sorted(Path(folder).iterdir(), key=lambda p: p.name):
            if path.suffix in FORM_SUFFIXES and path.is_file():
                problems += self.load_file(path, f"{prefix}{path.name}")
        return problems

    def get(self, form_id: str, version: str | None = None) -> Form:
        versions = self.forms.get(form_id)
        if not versions or (version is not None and version not in versions):
            raise UnknownFormError(form_id, self.ids(), version)
        if version is None:
            version = max(versions, key=version_key)
        return versions[version]

    def for_period(self, form_id: str, period: str) -> Form:
        """The version new templates of a period use: the newest that applies from that period
        or earlier (a version without `applies_from` applies to every period)."""
        versions = self.forms.get(form_id)
        if not versions:
            raise UnknownFormError(form_id, self.ids())
        start = period_start(period)
        usable = [v for v, f in versions.items() if f.applies_from is None or period_start(f.applies_from) <= start]
        if not usable:
            raise UnknownFormError(form_id, self.ids(), f"áp dụng cho kỳ {period}")
        return versions[max(usable, key=version_key)]

    def ids(self) -> list[str]:
        return sorted(self.forms)

    def latest(self) -> list[Form]:
        """The newest version of every form, in id order."""
        return [self.get(form_id) for form_id in self.ids()]

    def __contains__(self, form_id: str) -> bool:
        return form_id in self.forms


def _form_files(extra_dirs: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every form file to load with the name it is reported by, built-in ones first."""
    folders = [(Path(str(resources.files(BUILTIN_FORMS))), f"{BUILTIN_FORMS}/")]
    problems = []
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            problems.append(Problem(str(folder), "", "không tìm thấy thư mục biểu mẫu"))
            continue
        folders.append((folder, f"{folder}/"))
    files = [(path, f"{prefix}{path.name}") for folder, prefix in folders
             for path in sorted(folder.iterdir(), key=lambda p: p.name)
             if path.suffix in FORM_SUFFIXES and path.is_file()]
    return files, problems


def cache_key(models: Mapping[str, type[Form]], files: list[tuple[str, bytes]]) -> str:
    """Everything the validated forms depend on: the files' names and bytes, the code that
    validates them (this package's forms and core modules), and the versions of pydantic and Python."""
    package = Path(__file__).parent.parent
    return value_key([CACHE_FORMAT, pydantic.VERSION,
                      *(f"{name}={model.__module__}.{model.__qualname__}" for name, model in models.items()),
                      *(source for source, _ in files)],
                     [package / "forms", package / "core"], [data for _, data in files])


CACHE_FORMAT = "catalog-3"


def _cache_file(cache_dir: Path, sources: list[str]) -> Path:
    # One file per set of folders (the built-in forms alone, or with a province's folder).
    return cache_dir / f"catalog-{hashlib.sha256(chr(0).join(sources).encode()).hexdigest()[:16]}.pickle"


def _from_cache(path: Path, key: str, models: Mapping[str, type[Form]]) -> Catalog | None:
    value = cached_value(path, key)
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    forms, origins = value
    if not isinstance(forms, dict) or not isinstance(origins, dict):
        return None
    return Catalog(models, forms, origins)


def load_catalog(models: Mapping[str, type[Form]], extra_dirs: Iterable[Path] = (),
                 cache_dir: Path | None = None) -> Catalog:
    """The built-in forms and those of the user's folders; every problem of every file at
    once. With a cache folder, the validated forms of the same files are reused."""
    files, problems = _form_files(extra_dirs)
    contents: list[bytes | None] = []
    for path, _ in files:
        try:
            contents.append(path.read_bytes())
        except OSError:
            contents.append(None)  # read again below, to report why
    cacheable = cache_dir is not None and not problems and all(c is not None for c in contents)
    if cacheable:
        key = cache_key(models, [(source, data) for (_, source), data in zip(files, contents)])
        target = _cache_file(cache_dir, [source for _, source in files])
        cached = _from_cache(target, key, models)
        if cached is not None:
            return cached
    catalog = Catalog(models)
    for (path, source), data in zip(files, contents):
        problems += catalog.load_file(path, source, data)
    if problems:
        raise CatalogError(problems)
    if cacheable:
        keep_value(target, key, (catalog.forms, catalog.origins))
    return catalog


def check_form_files(paths: Iterable[Path], models: Mapping[str, type[Form]]) -> list[Problem]:
    """Every problem of each file (for `catalog check`), not only the first."""
    problems = []
    for path in paths:
        problems += read_form_file(Path(path), models, str(path))[1]
    return problems
