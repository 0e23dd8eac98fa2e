"""The validated forms kept in the user's cache folder: reused while nothing they depend
on changed, and never a reason for a command to fail."""

from pathlib import Path

import pytest
import yaml

from dti_report.batch import results as results_module
from dti_report.batch.results import REGISTRY_YAML_CACHE, registry_yaml
from dti_report.core import cache
from dti_report.forms import catalog as catalog_module
from dti_report.forms.catalog import CatalogError, load_catalog
from dti_report.forms import units as units_module
from dti_report.forms.units import load_registry
from dti_report.kinds import MODELS

FORMS = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "forms"


def _own_form(folder: Path, title: str) -> Path:
    raw = yaml.safe_load((FORMS / "hcm-dti-so-2023.yaml").read_text(encoding="utf-8"))
    raw.update(id="tinh-dti-so", version="2024.1", title=title)
    folder.mkdir(exist_ok=True)
    path = folder / "tinh-dti-so.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def counted_calls(monkeypatch, module, name: str) -> dict:
    """How many times module.name is called from now on (count["n"])."""
    count = {"n": 0}
    real = getattr(module, name)

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return count


@pytest.fixture
def parses(monkeypatch):
    """How many form files were parsed (not taken from the cache)."""
    return counted_calls(monkeypatch, catalog_module, "read_form_file")


def test_second_load_comes_from_the_cache(tmp_path, parses):
    first = load_catalog(MODELS, cache_dir=tmp_path / "cache")
    assert parses["n"] > 0
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == 1
    parses["n"] = 0
    second = load_catalog(MODELS, cache_dir=tmp_path / "cache")
    assert parses["n"] == 0
    assert second.ids() == first.ids()
    assert second.origins == first.origins
    for form_id in first.ids():
        assert second.forms[form_id].keys() == first.forms[form_id].keys()
        assert second.get(form_id) == first.get(form_id)


def test_a_changed_form_file_is_parsed_again(tmp_path, parses):
    own = tmp_path / "own"
    path = _own_form(own, "Bộ chỉ số của tỉnh")
    assert load_catalog(MODELS, [own], cache_dir=tmp_path / "cache").get("tinh-dti-so").title == "Bộ chỉ số của tỉnh"
    path.write_text(path.read_text(encoding="utf-8").replace("Bộ chỉ số của tỉnh", "Bộ chỉ số mới"),
                    encoding="utf-8")
    parses["n"] = 0
    assert load_catalog(MODELS, [own], cache_dir=tmp_path / "cache").get("tinh-dti-so").title == "Bộ chỉ số mới"
    assert parses["n"] > 0


def test_a_broken_form_file_is_reported_even_after_a_cached_load(tmp_path):
    own = tmp_path / "own"
    path = _own_form(own, "Bộ chỉ số của tỉnh")
    load_catalog(MODELS, [own], cache_dir=tmp_path / "cache")
    path.write_text("id: [", encoding="utf-8")
    with pytest.raises(CatalogError, match="YAML không hợp lệ"):
        load_catalog(MODELS, [own], cache_dir=tmp_path / "cache")


def test_a_corrupt_cache_file_is_parsed_again_and_rewritten(tmp_path, parses):
    load_catalog(MODELS, cache_dir=tmp_path / "cache")
    (stored,) = (tmp_path / "cache").glob("catalog-*.pickle")
    for garbage in (b"", b"not a pickle", stored.read_bytes()[:100]):
        stored.write_bytes(garbage)
        parses["n"] = 0
        assert "hcm-dti-so" in load_catalog(MODELS, cache_dir=tmp_path / "cache")
        assert parses["n"] > 0
    parses["n"] = 0
    load_catalog(MODELS, cache_dir=tmp_path / "cache")
    assert parses["n"] == 0


def test_a_cache_made_with_another_pydantic_is_not_trusted(tmp_path, parses, monkeypatch):
    load_catalog(MODELS, cache_dir=tmp_path / "cache")
    monkeypatch.setattr(catalog_module.pydantic, "VERSION", "99.0")
    parses["n"] = 0
    load_catalog(MODELS, cache_dir=tmp_path / "cache")
    assert parses["n"] > 0


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path, parses):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    for folder in (blocker / "cache", blocker):  # cannot be created; is not a folder
        parses["n"] = 0
        assert "hcm-dti-so" in load_catalog(MODELS, cache_dir=folder)
        assert parses["n"] > 0


def test_cache_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert cache.cache_dir() == tmp_path
    monkeypatch.setenv(cache.CACHE_ENV, "")
    assert cache.cache_dir() is None
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if cache.sys.platform not in ("win32", "darwin"):
        assert cache.cache_dir() == tmp_path / "xdg" / "dti-report"


# ------------------------------------------------------------------ the units' registry

UNITS = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "units" / "hcm-2023.yaml"


@pytest.fixture
def registry_parses(monkeypatch, tmp_path):
    """How many registry files were parsed (not taken from the cache), with a cache of the test's own."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    return counted_calls(monkeypatch, units_module, "_parse_registry")


def test_a_registry_is_parsed_once_per_content(tmp_path, registry_parses):
    path = tmp_path / "don-vi.yaml"
    path.write_bytes(UNITS.read_bytes())
    first = load_registry(path)
    second = load_registry(path)
    assert registry_parses["n"] == 1 and second == first
    assert len(list((tmp_path / "cache").glob("registry-*.pickle"))) == 1
    # A unit renamed in the file: read again, the new name seen.
    code = first.units[0].code
    path.write_text(UNITS.read_text(encoding="utf-8").replace(first.units[0].name, "Đơn vị đổi tên", 1),
                    encoding="utf-8")
    assert load_registry(path).by_code()[code].name == "Đơn vị đổi tên"
    assert registry_parses["n"] == 2


def test_a_corrupt_registry_cache_is_parsed_again(tmp_path, registry_parses):
    path = tmp_path / "don-vi.yaml"
    path.write_bytes(UNITS.read_bytes())
    expected = load_registry(path)
    (stored,) = (tmp_path / "cache").glob("registry-*.pickle")
    for garbage in (b"", b"not a pickle", stored.read_bytes()[:100]):
        stored.write_bytes(garbage)
        assert load_registry(path) == expected
    assert registry_parses["n"] == 4


def test_a_broken_registry_is_reported_even_after_a_cached_load(tmp_path, registry_parses):
    path = tmp_path / "don-vi.yaml"
    path.write_bytes(UNITS.read_bytes())
    load_registry(path)
    path.write_bytes("levels: [\n".encode())
    with pytest.raises(CatalogError, match="không đọc được danh mục đơn vị"):
        load_registry(path)
    path.write_bytes(UNITS.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(CatalogError, match="UTF-8"):
        load_registry(path)


def test_a_registry_without_a_cache_folder(tmp_path, registry_parses, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "")
    path = tmp_path / "don-vi.yaml"
    path.write_bytes(UNITS.read_bytes())
    assert load_registry(path) == load_registry(path)
    assert registry_parses["n"] == 2 and not (tmp_path / "cache").exists()


def test_the_registry_copy_is_written_out_once_per_content(tmp_path, registry_parses, monkeypatch):
    """A run's copy of the registry is the YAML written out the first time, while the registry
    is the same; another registry, or a kept copy damaged, is written out again."""
    registry = load_registry(UNITS)
    monkeypatch.setenv(cache.CACHE_ENV, "")
    plain = registry_yaml(registry)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    dumps = counted_calls(monkeypatch, results_module.yaml, "dump")
    assert registry_yaml(registry) == plain and registry_yaml(registry) == plain
    assert dumps["n"] == 1
    renamed = registry.model_copy(update={"units": (registry.units[0].model_copy(update={"name": "Đơn vị đổi tên"}),
                                                    *registry.units[1:])})
    assert load_registry_text(registry_yaml(renamed), tmp_path).units[0].name == "Đơn vị đổi tên"
    assert dumps["n"] == 2
    (tmp_path / "cache" / REGISTRY_YAML_CACHE).write_bytes(b"not a pickle")
    assert registry_yaml(registry) == plain and dumps["n"] == 3


def load_registry_text(text: str, folder: Path):
    path = folder / "ban-sao.yaml"
    path.write_text(text, encoding="utf-8")
    return load_registry(path)
