"""The tracker's HTML report in a real browser (headless Chromium, from Debian's `chromium`
package, which .ci/run installs): the matrix renders, the filters work, a screenshot is saved."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from uscipy.tracker import html, track

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    rows, chosen = track(modules=["fft"], backends=["scipy", "pyfftw"], time_it=False)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html.render(rows, chosen))
    return path


def _dom(page: Path, fragment: str = "") -> str:
    proc = subprocess.run([CHROMIUM, *FLAGS, "--dump-dom", f"{page.as_uri()}{fragment}"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _visible_rows(dom: str) -> list[str]:
    rows = re.findall(r'<tr data-module="\w+" data-group="[^"]*"( class="hidden")?><td>\w+</td><td>[^<]*</td><td><code>(\w+)</code>', dom)
    return [name for hidden, name in rows if not hidden]


def test_matrix_renders_every_function(report):
    dom = _dom(report)
    assert len(_visible_rows(dom)) == 33
    assert re.search(r'id="shown">33<', dom)


def test_filters_work(report):
    dom = _dom(report, "#backend=pyfftw&status=not implemented")
    shown = _visible_rows(dom)
    assert shown and "fht" in shown and "fft" not in shown  # pyFFTW lacks fht, has fft
    assert re.search(rf'id="shown">{len(shown)}<', dom)
    # Cells of other backends are hidden when one backend is chosen.
    assert re.search(r'<td class="cell verified hidden" data-backend="scipy"', dom)
    group_dom = _dom(report, "#group=Helper functions")
    assert set(_visible_rows(group_dom)) == {"fftfreq", "rfftfreq", "fftshift", "ifftshift", "fhtoffset"}


def test_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = subprocess.run([CHROMIUM, *FLAGS, "--window-size=1400,1000", f"--screenshot={shot}", report.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.stat().st_size > 10_000
