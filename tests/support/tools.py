"""When a missing tool may skip a test: on a developer's machine, never in CI.

Why: a suite that skips whatever it cannot run goes green while testing less; CI (CI=true, as
.ci/run sets it and CI services do) must run everything, so there a missing tool is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# axe-core for the accessibility checks, at the version tests/a11y/package-lock.json pins (make test: npm ci)
AXE_JS = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_tool(reason: str) -> None:
    """Skip the test with `reason`, or fail it with the same reason in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: missing tools fail, they do not skip)", pytrace=False)
    pytest.skip(reason)
