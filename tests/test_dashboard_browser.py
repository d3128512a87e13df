"""The dashboard in a real browser: streamlit on localhost, headless Debian Chromium via Selenium, a screenshot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_dashboard_support import APPS, ARTICLE, build_tiny_models

from kpfnlp.paths import REPO_ROOT
from kpfnlp.summarize import Summarizer

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "summarize.png"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1500",
)  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
        reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def models(tmp_path_factory, samples: Path) -> tuple[Path, Path]:
    return build_tiny_models(tmp_path_factory.mktemp("browser-models"), samples)


@pytest.fixture(scope="module")
def server(models, tmp_path_factory) -> Iterator[str]:
    """`streamlit run apps/dashboard.py` on a free localhost port with the tiny models; its URL once healthy."""
    port = free_port()
    env = {**os.environ, "KPFNLP_SUMMARIZER": str(models[0]), "KPFNLP_ENCODER": str(models[1])}
    log = (tmp_path_factory.mktemp("streamlit") / "streamlit.log").open("w")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APPS / "dashboard.py"), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not start: {Path(log.name).read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_paste_an_article_and_see_the_highlighted_summary(server: str, browser, models) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 90)
    browser.get(server)
    area = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "textarea[aria-label='기사 본문']")))
    area.send_keys(ARTICLE)
    area.send_keys(Keys.CONTROL, Keys.ENTER)  # commit the text, as the widget's hint says
    button = wait.until(ec.element_to_be_clickable((By.XPATH, "//button[.//p[text()='요약하기']]")))
    wait.until(lambda _: button.is_enabled())
    button.click()
    marks = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "mark.kpf-pick") or False)
    summary = Summarizer.from_pretrained(models[0]).summarize(ARTICLE)
    shown = [m.text for m in marks]
    expected = summary.sentences  # the kept text of each chosen sentence (a stripped byline stays unmarked)
    assert len(shown) == 3 and all(s.startswith(e) for s, e in zip(shown, expected, strict=True)), shown
    background = marks[0].value_of_css_property("background-color")
    assert background == "rgba(255, 224, 138, 1)", background  # the highlight is really painted
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", marks[0])
    time.sleep(0.5)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT)) and SCREENSHOT.stat().st_size > 10_000
