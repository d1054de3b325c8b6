"""The project's own rules that no other test would notice breaking: what gets installed, how
modules find each other, and that every setting a deployment can set is documented."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", "node_modules", ".git", "data", ".constraints-venv"}


def _project_python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def _names(requirements: Path) -> set[str]:
    """Distribution names pinned or required in a requirements/constraints file, normalised."""
    out = set()
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.add(re.sub(r"[-_.]+", "-", re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0]).lower())
    return out


def test_pyarrow_is_not_installed():
    """docs/ARCHITECTURE.md: pandas 3 imports pyarrow whenever it is present (~60 MB in every
    worker) and nothing here uses it, so a package that pulls it in must be a decision, not an accident."""
    assert importlib.util.find_spec("pyarrow") is None, (
        "pyarrow is installed: every worker pays ~60 MB for it (docs/ARCHITECTURE.md); remove it or the package "
        "that brought it")
    assert "pyarrow" not in _names(ROOT / "constraints.txt"), "constraints.txt pins pyarrow: see docs/ARCHITECTURE.md"


def test_every_requirement_is_pinned_in_the_constraints_file():
    """constraints.txt pins every package (transitive ones too) for reproducible installs; after a
    change to requirements*.txt, `make constraints` must be run again."""
    pinned = _names(ROOT / "constraints.txt")
    wanted = _names(ROOT / "requirements.txt") | _names(ROOT / "requirements-dev.txt")
    assert wanted - pinned == set(), "not in constraints.txt: run `make constraints` and commit the result"
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        assert line.startswith("#") or re.fullmatch(r"[A-Za-z0-9_.\-]+==[^=\s]+", line), f"constraints.txt: {line!r} is not name==version"


def test_no_module_edits_sys_path():
    """The project is a package (pyproject.toml, installed editable by make); scripts run as
    `python -m ...` from the root. A sys.path edit hides an import that only works from one folder."""
    edits = [f"{p.relative_to(ROOT)}:{n}" for p in _project_python_files()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"sys\.path\.(insert|append|extend)|sys\.path\s*\+?=", line)]
    assert edits == []


def test_every_setting_read_from_the_environment_is_documented_in_the_readme():
    names = set(re.findall(r"\"(SEASTAT_[A-Z_]+)\"", (ROOT / "settings.py").read_text()))
    assert {"SEASTAT_DB", "SEASTAT_RAW_DIR", "SEASTAT_SECURE_COOKIES"} <= names  # the pattern finds them
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(n for n in names if not re.search(rf"`{n}`", readme))
    assert undocumented == [], f"settings.py reads {undocumented} but README.md's settings list does not name them"


# a SEASTAT_ variable read straight from the environment outside settings.py (os.environ.get("X"),
# os.environ["X"], os.getenv("X"), env.get("X"), env["X"])
ENV_READ = re.compile(r"(?:environ(?:\.get\(|\[)|getenv\(|\benv(?:\.get\(|\[))\"(SEASTAT_[A-Z_]+)\"")


def test_every_setting_any_module_reads_from_the_environment_is_documented_in_the_readme():
    """Not only settings.py: a command that reads its own variable (etl fetch's SEASTAT_PORTAL_URL
    went unnamed) is a setting a user must be able to find."""
    code = [p for p in ROOT.rglob("*.py") if not ({".venv", "tests", "node_modules"} & set(p.relative_to(ROOT).parts))]
    names = {n: p.relative_to(ROOT) for p in code for n in ENV_READ.findall(p.read_text(encoding="utf-8"))}
    assert {"SEASTAT_PORTAL_URL", "SEASTAT_TODAY"} <= set(names)  # the pattern finds them
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(f"{n} ({p})" for n, p in names.items() if not re.search(rf"`{n}`", readme))
    assert undocumented == [], f"read from the environment but not named in README.md: {undocumented}"


def test_tests_import_helpers_from_tests_support_not_from_bench():
    """The benchmarks may use the tests' helpers (tests/support); the tests never import a benchmark,
    so changing how something is measured cannot break what is tested."""
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "tests").rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.match(r"\s*(from bench[ .]|import bench\b)", line)]
    assert found == [], "import these helpers from tests.support.pages instead"
