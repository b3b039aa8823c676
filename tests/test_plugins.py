"""Third-party backends through entry points: a small backend package is really installed (pip,
into a temporary directory) and found by name and by array type, its metadata read without
importing it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent / "toy_plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "toy_plugin"
    shutil.copytree(PACKAGE, source)  # builds write into the source tree: keep ours clean
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"installing the toy backend failed:\n{proc.stdout}\n{proc.stderr}")
    return target


def _run(site: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_plugin_listed_from_metadata_without_import(site):
    out = _run(site, (
        "import sys, uscipy\n"
        "rows = {b.name: b for b in uscipy.backends()}\n"
        "toy = rows['toy']\n"
        "print(toy.types, toy.modules, toy.functions, 'toy_uscipy_backend.backend' in sys.modules)\n"
    ))
    assert out == "('toy_uscipy_backend.array:ToyArray',) ('fft',) 1 False"


def test_plugin_owns_its_type_with_no_registration(site):
    out = _run(site, (
        "import sys, numpy as np, uscipy\n"
        "from toy_uscipy_backend.array import ToyArray\n"
        "y = uscipy.fft.fft(ToyArray(np.arange(4.0)))\n"
        "print(type(y).__name__, np.allclose(y.data, np.fft.fft(np.arange(4.0))), 'toy_uscipy_backend.backend' in sys.modules)\n"
        "print(uscipy.explain(uscipy.fft.fft, ToyArray([1.0])).backend)\n"
    ))
    assert out.splitlines() == ["ToyArray True True", "<uscipy backend 'toy' (plugin)>"]


def test_plugin_selected_by_name(site):
    out = _run(site, (
        "import numpy as np, uscipy\n"
        "with uscipy.set_backend('toy', only=True):\n"
        "    print(type(uscipy.fft.fft(np.ones(2))).__name__)\n"
        "try:\n"
        "    with uscipy.set_backend('toy', only=True):\n"
        "        uscipy.fft.ifft(np.ones(2))\n"
        "except uscipy.BackendNotImplementedError as e:\n"
        "    print('declined', \"'toy'\" in str(e))\n"
    ))
    assert out.splitlines() == ["ToyArray", "declined True"]
