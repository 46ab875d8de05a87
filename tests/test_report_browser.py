"""The HTML report as a browser shows it: headless Chromium loads the file offline, every chart is in
the rendered DOM and painted on screen, and the page tries to load nothing (the content security
policy would log any attempt). Skipped where no ``chromium`` binary is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stakes.report import build_report, write_html
from stakes.report.charts import LOW_COLOUR, MODEL_COLOURS
from stakes.scenario import load
from stakes.whatif import whatif_from_changes
from tests.conftest import DATA

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.usefixtures("needs_chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180, check=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The report, its file, the DOM after Chromium loaded it, Chromium's log, and a screenshot."""
    tmp = tmp_path_factory.mktemp("browser")
    whatif = whatif_from_changes(["council.capability *= 0.5"], title="Council weakened", id="weak_council")
    report = build_report(load(str(DATA / "harbour.yaml")), ["mean", ("bdm", {"rounds": 3})], draws=64, seed=1,
                          whatifs=[whatif], events=["fees > 45"])
    page = write_html(report, tmp / "report.html")
    dom = chromium(tmp, "--dump-dom", page.as_uri())
    shot = tmp / "report.png"
    chromium(tmp, f"--screenshot={shot}", "--window-size=1280,12000", page.as_uri())
    return report, dom.stdout, dom.stderr, np.asarray(Image.open(shot).convert("RGB"))


def test_every_chart_is_in_the_rendered_dom(rendered):
    report, dom, _, _ = rendered
    charts = re.findall(r'<svg class="chart" id="svg-([^"]+)"(.*?)</svg>', dom, re.S)
    assert sorted(chart_id for chart_id, _ in charts) == sorted(c.id for c in report.charts)
    assert {c.section for c in report.charts} == {"positions", "trajectories", "distributions", "sensitivity",
                                                  "whatifs"}
    for chart_id, body in charts:
        assert body.count("<path") + body.count("<use") > 50, chart_id  # axes, marks and glyphs drawn
        assert f'<figure id="chart-{chart_id}"' in dom


def test_the_page_loads_nothing_from_outside(rendered):
    _, dom, log, _ = rendered
    assert "Content Security Policy" not in log, log
    assert "<script" not in dom.lower()


def _pixels_near(image: np.ndarray, colour: str, tolerance: int = 6) -> int:
    rgb = np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)])
    return int((np.abs(image.astype(int) - rgb).max(axis=2) <= tolerance).sum())


def test_the_charts_are_painted(rendered):
    _, _, _, image = rendered
    assert (image.min(axis=2) < 250).mean() > 0.02  # the screenshot is far from blank
    assert _pixels_near(image, LOW_COLOUR) > 500  # tornado bars
    for colour in MODEL_COLOURS[:2]:  # each model's lines and interval marks
        assert _pixels_near(image, colour) > 200, colour
