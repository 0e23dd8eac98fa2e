"""The units registry: who reports, at which level, for which indicator sets.

Levels are data: the 2025 reorganisation replaced districts by communes and
wards, and a registry for that structure is another YAML file, not code.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dti_report.core.cache import cache_dir, cached_value, keep_value, value_key
from dti_report.core.text import fold, nfc_tree
from dti_report.forms.catalog import CatalogError, Problem, schema_message

DEFAULT_REGISTRY = "hcm-2023"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Model):
    id: str
    name: str
    sets: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # how plans name the whole level ("Các sở, ban, ngành")
    # How a document addresses a unit of the level ("Nơi nhận"), {name} its name as running text
    # writes it: "Ủy ban nhân dân {name}" -> "Ủy ban nhân dân Quận 1", "… huyện Bình Chánh".
    recipient: str | None = None


class Unit(_Model):
    code: str
    name: str
    level: str
    email: str | None = None
    aliases: tuple[str, ...] = ()  # other names plans use for the unit
    recipient: str | None = None   # the unit's own form of address, where its level's does not fit


# "Huyện Bình Chánh" inside a sentence is "huyện Bình Chánh"; a numbered "Quận 1" keeps its capital.
_ADMIN_WORD = re.compile(r"^(Quận|Huyện|Thành phố|Thị xã|Phường|Xã|Thị trấn) (?=\D)")


def running_unit_name(name: str) -> str:
    return _ADMIN_WORD.sub(lambda m: m.group(1).lower() + " ", name)


class Registry(_Model):
    id: str
    title: str
    levels: tuple[Level, ...]
    units: tuple[Unit, ...]

    @model_validator(mode="after")
    def _consistent(self):
        levels = {level.id for level in self.levels}
        codes: set[str] = set()
        for unit in self.units:
            if unit.level not in levels:
                raise ValueError(f"đơn vị {unit.code}: cấp '{unit.level}' chưa khai báo")
            if unit.code in codes:
                raise ValueError(f"mã đơn vị {unit.code} trùng")
            codes.add(unit.code)
        return self

    def by_code(self) -> dict[str, Unit]:
        """Every unit by its code (built once: each of 10,000 workbooks asks)."""
        return self._by_code

    @cached_property
    def _by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def recipient_of(self, unit: Unit) -> str:
        """The unit's full name as a document's "Nơi nhận" lists it."""
        if unit.recipient:
            return unit.recipient
        level = next((lv for lv in self.levels if lv.id == unit.level), None)
        if level is None or not level.recipient:
            return unit.name
        return level.recipient.format(name=running_unit_name(unit.name))

    def units_for_agency(self, name: str) -> list[Unit]:
        """The units a plan means by an agency name: one unit by its name or an alias,
        or every unit of a level named as a whole ("Ủy ban nhân dân các quận, huyện")."""
        return list(self._agency_index.get(_agency_key(name), ()))

    @cached_property
    def _agency_index(self) -> dict[str, tuple[Unit, ...]]:
        # Built once: a plan names a few hundred agencies and every unit asks for its items.
        index: dict[str, tuple[Unit, ...]] = {}
        for level in reversed(self.levels):
            members = tuple(u for u in self.units if u.level == level.id)
            index.update({_agency_key(n): members for n in (level.name, *level.aliases)})
        for unit in reversed(self.units):  # a unit's own name wins over a level's, the first unit over later ones
            index.update({_agency_key(n): (unit,) for n in (unit.name, *unit.aliases)})
        return index

    def units_for_set(self, set_id: str) -> list[Unit]:
        return list(self._units_by_set.get(set_id, ()))

    def assesses(self, unit: Unit, set_id: str) -> bool:
        """Whether the unit (of this registry) is assessed by the set: a lookup, not a scan."""
        return unit.code in self._codes_by_set.get(set_id, ()) and self._by_code.get(unit.code) == unit

    @cached_property
    def _units_by_set(self) -> dict[str, tuple[Unit, ...]]:
        by_set: dict[str, tuple[Unit, ...]] = {}
        for set_id in {s for level in self.levels for s in level.sets}:
            levels = {level.id for level in self.levels if set_id in level.sets}
            by_set[set_id] = tuple(u for u in self.units if u.level in levels)
        return by_set

    @cached_property
    def _codes_by_set(self) -> dict[str, frozenset[str]]:
        return {set_id: frozenset(u.code for u in units) for set_id, units in self._units_by_set.items()}


def _agency_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(name)).strip()


def load_registry(path: Path | str) -> Registry:
    """The registry of a YAML file; validated once per content and kept in the user's cache
    folder (core.cache): a national registry of ten thousand units takes seconds to parse."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError([Problem(path.name, "", f"không đọc được danh mục đơn vị: {exc}")]) from exc
    folder = cache_dir()
    if folder is None:
        return _parse_registry(path, data)
    package = Path(__file__).parent.parent
    key = value_key([REGISTRY_CACHE_FORMAT, pydantic.VERSION], [package / "forms", package / "core"], [data])
    target = folder / f"registry-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]}.pickle"
    registry = cached_value(target, key)
    if not isinstance(registry, Registry):
        registry = _parse_registry(path, data)
        keep_value(target, key, registry)
    return registry


REGISTRY_CACHE_FORMAT = "registry-2"


def _parse_registry(path: Path, data: bytes) -> Registry:
    try:
        # LibYAML: a national registry holds ten thousand units.
        raw = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        raw = nfc_tree(raw)
        return Registry.model_validate(raw)
    except UnicodeDecodeError as exc:
        raise CatalogError([Problem(path.name, "", "không đọc được danh mục đơn vị: tệp không phải văn bản "
                                                   "UTF-8 (hãy lưu lại với mã hóa UTF-8)")]) from exc
    except yaml.YAMLError as exc:
        raise CatalogError([Problem(path.name, "", f"không đọc được danh mục đơn vị: {exc}")]) from exc
    except ValidationError as exc:
        raise CatalogError([Problem(path.name, ".".join(map(str, e["loc"])), schema_message(e)) for e in exc.errors()]) from exc


@lru_cache(maxsize=None)
def builtin_registry(name: str = DEFAULT_REGISTRY) -> Registry:
    entry = resources.files("dti_report.data.units") / f"{name}.yaml"
    with resources.as_file(entry) as path:
        return load_registry(path)
