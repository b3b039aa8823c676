"""The tracker: SciPy's groups, every status, the four output formats, the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from uscipy.__main__ import main
from uscipy.tracker import SCHEMA, Status, track
from uscipy.tracker import formats, html
from uscipy.tracker.groups import group_of, groups
from uscipy.tracker.run import Target, _expected, _run_one

from tagged import MARKER, TaggedBackend


def test_groups_follow_scipys_documentation():
    assert sorted(set(groups("ndimage").values())) == ["Filters", "Fourier filters", "Interpolation", "Measurements", "Morphology"]
    assert {"Basics", "Eigenvalue Problems", "Decompositions", "Matrix Functions", "Matrix Equation Solvers",
            "Sketches and Random Projections", "Special Matrices", "Low-level routines"} <= set(groups("linalg").values())
    assert group_of("fft", "fft") == "Fast Fourier Transforms (FFTs)"
    assert group_of("special", "p_roots") == group_of("special", "roots_legendre")  # aliases join their target


def test_scipy_is_verified_on_every_fft_function():
    rows, chosen = track(modules=["fft"], backends=["scipy"], time_it=False)
    assert [t.name for t in chosen] == ["scipy"] and len(rows) == 33
    assert {r.outcomes["scipy"].status for r in rows} == {Status.VERIFIED}


def _outcome(backend, module="special", name="erf"):
    target = Target(backend.name, lambda a: a, backend=backend)
    return _run_one(module, name, target, _expected(module, name), time_it=True)


def test_every_status():
    mismatch = _outcome(MARKER)  # erf + 1000
    assert mismatch.status is Status.MISMATCH and mismatch.detail
    missing = _outcome(TaggedBackend("none", (), set()))
    assert missing.status is Status.NOT_IMPLEMENTED

    class Broken(TaggedBackend):
        def implementation(self, module, name):
            def broken(*args, **kwargs):
                raise ValueError("broken on purpose")
            return broken

    error = _outcome(Broken("broken", (), set()))
    assert error.status is Status.ERROR and "broken on purpose" in error.detail
    verified = _outcome(TaggedBackend("tagged-np", (), {"special.erf"}, wrap=np.asarray))
    assert verified.status is Status.VERIFIED and verified.time_ratio is not None and verified.cases >= 1
    gone = _run_one("special", "erf", Target("gone", lambda a: a, usable=False, reason="no CUDA device"), [], True)
    assert gone.status is Status.UNAVAILABLE and gone.detail == "no CUDA device"


@pytest.fixture(scope="module")
def fft_report():
    pytest.importorskip("pyfftw.interfaces.scipy_fft", reason="the report's second backend is pyfftw (uscipy[fft])")
    return track(modules=["fft"], backends=["scipy", "pyfftw"], functions=["fft", "fft.rfft", "dct"], time_it=True)


def test_json_schema(fft_report):
    data = json.loads(formats.json_text(*fft_report))
    assert data["schema"] == SCHEMA and {b["name"] for b in data["backends"]} == {"scipy", "pyfftw"}
    entry = data["functions"][0]
    assert set(entry) == {"module", "name", "group", "results", "scipy_array_api"}
    assert set(entry["results"]["scipy"]) == {"status", "detail", "cases", "declined", "time_ratio"}


def test_markdown_and_table(fft_report, capsys):
    text = formats.markdown(*fft_report)
    assert text.startswith("| module | group | scipy | pyfftw |") and "| fft | **all** | 3/3/3 |" in text
    formats.print_table(*fft_report)
    assert "verified / implemented / total" in capsys.readouterr().out


def test_html_is_self_contained(fft_report):
    page = html.render(*fft_report)
    assert '<table id="matrix">' in page and 'id="f-backend"' in page and 'id="f-status"' in page
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert page.count('data-status="verified"') == 6


def test_command_line(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["tracker", "--module", "fft", "--backend", "scipy", "--function", "fft", "--format", "json",
                 "-o", str(out), "--no-timing"]) == 0
    assert json.loads(out.read_text())["functions"][0]["results"]["scipy"]["status"] == "verified"
    assert main(["tracker", "--module", "linalg", "--group", "Basics", "--backend", "scipy", "--jobs", "2",
                 "--no-timing", "--format", "markdown"]) == 0
    assert "| linalg | Basics |" in capsys.readouterr().out


def test_scipy_capabilities_beside_ours():
    from uscipy.tracker.scipy_capabilities import capabilities, verdict

    caps = capabilities()
    assert caps, "SciPy has an array-API capabilities table under SCIPY_ARRAY_API=1"
    assert verdict("special", "erf", "jax") == "native"
    assert verdict("ndimage", "gaussian_filter", "jax") == "convert"
    assert verdict("ndimage", "gaussian_filter", "cupy") == "native"  # SciPy delegates to cupyx
    pytest.importorskip("dask.array", reason="the comparison below runs the dask backend (uscipy[dask])")
    rows, chosen = track(modules=["ndimage"], backends=["dask"], functions=["gaussian_filter"], time_it=False)
    (line,) = formats.versus_scipy(rows, chosen)
    assert line.startswith("dask: SciPy (array API) native 0, convert 1") and "verified natively 1, of which 1" in line
