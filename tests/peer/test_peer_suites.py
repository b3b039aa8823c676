"""Peer suites on uscipy's engine: uarray's own tests and doctests, and SciPy's fft tests with
SciPy bound to ``uscipy.uarray``. Each runs in a fresh interpreter (SciPy binds its uarray at
import), with ``-p uscipy.testing.as_uarray`` and warnings from uscipy as errors."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PLUGIN = ["-p", "uscipy.testing.as_uarray", "-p", "no:cacheprovider", "-W", "error::DeprecationWarning:uscipy"]


def _summary(output: str) -> dict[str, int]:
    last = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    assert last, output[-3000:]
    return {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", last[-1])}


def _run_pytest(args: list[str], cwd: Path, env_extra: dict[str, str] | None = None) -> tuple[int, str]:
    import os

    env = {**os.environ, **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *PLUGIN, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _real_uarray_dir() -> Path:
    spec = importlib.util.find_spec("uarray")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("uarray is not installed: `pip install '.[test]'` installs the peer suite")
    return Path(next(iter(spec.submodule_search_locations)))


def test_uarray_own_suite_passes_on_uscipy(tmp_path):
    source = _real_uarray_dir()
    suite = tmp_path / "uarray_suite"
    suite.mkdir()
    (suite / "__init__.py").write_text("")
    for name in ("test_uarray.py", "example_helpers.py"):
        shutil.copy(source / "tests" / name, suite / name)
    shutil.copy(HERE / "_uarray_doctests.py", suite / "test_uarray_doctests.py")

    code, out = _run_pytest([str(suite)], tmp_path, {"UARRAY_SOURCE_DIR": str(source)})
    counts = _summary(out)
    assert code == 0, out[-5000:]
    # uarray 0.9.4 ships 21 tests; its sources hold 7 doctests.
    assert counts.get("passed", 0) >= 28 and not counts.get("failed"), out[-3000:]


def test_scipy_fft_suite_passes_on_uscipy(tmp_path):
    proof = tmp_path / "test_scipy_on_uscipy.py"
    shutil.copy(HERE / "_scipy_on_uscipy.py", proof)
    code, out = _run_pytest(["--pyargs", "scipy.fft", str(proof)], tmp_path)
    counts = _summary(out)
    assert code == 0, out[-5000:]
    assert counts.get("passed", 0) > 3000 and not counts.get("failed"), out[-3000:]
