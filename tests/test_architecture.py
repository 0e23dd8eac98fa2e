"""The shape of the code, checked: layers one way, no import hidden in a function to
dodge a cycle, and one module (kinds) that tells the kinds of form apart."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dti_report"
FORM_CLASSES = {"IndicatorSet", "TargetSet", "TaskSet", "AssignmentSet", "Plan"}


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


# The one import made at run time: the command line's root group loads a command's module
# when that command runs, so `dti-report --help` starts without the library (start-up time).
LAZY_COMMANDS = PACKAGE / "cli" / "__init__.py"


def test_no_function_level_import_of_the_package():
    """A cycle is fixed by moving code, not by importing inside a function (nor through
    importlib, but in the command line's lazy group)."""
    found = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and path != LAZY_COMMANDS:
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in ("import_module", "__import__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.level or (inner.module or "").startswith("dti_report")):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
                    if isinstance(inner, ast.Import) and any(a.name.startswith("dti_report") for a in inner.names):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert found == []


def test_only_the_kinds_registry_tells_kinds_apart():
    """Outside dti_report/kinds.py nothing asks which kind a form is: no isinstance on a
    form class, no comparison of a form's kind or of a scoring mode."""
    found = []
    for path in modules():
        if path.name == "kinds.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance" and len(node.args) == 2:
                classes = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
                if any(getattr(c, "id", getattr(c, "attr", "")) in FORM_CLASSES for c in classes):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} isinstance")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr in ("kind", "scoring") and not _other_kind(s.value)
                       for s in sides) and any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} kind comparison")
    assert found == []


def _other_kind(owner) -> bool:
    """A rule's or a deadline's kind is not a form's kind."""
    name = getattr(owner, "id", None) or getattr(owner, "attr", "")
    return name in ("rule", "deadline", "tier", "part", "measure")


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
                    reason="import-linter is a test dependency")
def test_layering_contract_fails_on_a_back_import(tmp_path):
    """The contract in setup.cfg is real: a foundation module importing the CLI breaks it."""
    lint = Path(sys.executable).parent / "lint-imports"
    copy = tmp_path / "dti_report"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    kept = subprocess.run([str(lint), "--config", "setup.cfg", "--no-cache"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout[-2000:]
    issues = copy / "core" / "issues.py"
    issues.write_text(issues.read_text(encoding="utf-8") + "\nfrom dti_report.evaluation import engine  # noqa\n",
                      encoding="utf-8")
    broken = subprocess.run([str(lint), "--config", "setup.cfg", "--no-cache"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert broken.returncode != 0
    assert "dti_report.core is not allowed to import dti_report.evaluation" in broken.stdout


def test_benchmarks_still_run(tmp_path):
    """The benchmark scripts follow the code: a tiny run of the scoring benchmark."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_score.py"), "--units", "3", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
