"""The dashboard in a real browser on the bundled models, as a newsroom user gets it: streamlit on localhost,
headless Debian Chromium via Selenium, every page driven and photographed into docs/screenshots/."""

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
from test_dashboard_support import APPS, ARTICLE

from kpfnlp.paths import REPO_ROOT
from kpfnlp.summarize import DEFAULT_MODEL_DIR, Summarizer

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
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
def server(tmp_path_factory) -> Iterator[str]:
    """`streamlit run apps/dashboard.py` on a free localhost port with the bundled models; its URL once healthy."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KPFNLP_SUMMARIZER", "KPFNLP_ENCODER")}
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


def screenshot(browser, name: str) -> None:
    """Save the whole page (the window grown to the content's height) as docs/screenshots/NAME.png."""
    height = browser.execute_script(
        "return Math.max(...[...document.querySelectorAll('section, div')].map(e => e.scrollHeight))"
    )
    browser.set_window_size(1400, min(max(int(height) + 100, 900), 4000))
    time.sleep(1.0)  # let plotly and the dataframes re-lay out
    path = SCREENSHOTS / f"{name}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(path)) and path.stat().st_size > 10_000


def test_paste_an_article_and_see_the_highlighted_summary(server: str, browser) -> None:
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
    summary = Summarizer.from_pretrained(DEFAULT_MODEL_DIR).summarize(ARTICLE)
    shown = [m.text for m in marks]
    expected = summary.sentences  # the kept text of each chosen sentence (a stripped byline stays unmarked)
    assert len(shown) == 3 and all(s.startswith(e) for s, e in zip(shown, expected, strict=True)), shown
    background = marks[0].value_of_css_property("background-color")
    assert background == "rgba(255, 224, 138, 1)", background  # the highlight is really painted
    screenshot(browser, "summarize")


def test_headline_pages_in_one_session(server: str, browser, samples: Path) -> None:
    """Upload a day's headlines once, then cluster, deduplicate and search them, and open the model page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 180)

    def go(url_path: str) -> None:  # the sidebar link keeps the session (and the uploaded file)
        wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, f"a[href$='/{url_path}']"))).click()

    def shown(text: str) -> None:
        wait.until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)

    def press(label: str) -> None:
        wait.until(ec.element_to_be_clickable((By.XPATH, f"//button[.//p[text()='{label}']]"))).click()

    browser.get(server)
    go("cluster")
    upload = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[type='file']")))
    upload.send_keys(str(samples / "headlines.csv"))
    shown("파일: headlines.csv")
    press("클러스터 만들기")
    shown("클러스터 완료")
    shown("미분류")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot") or False)
    screenshot(browser, "cluster")

    go("dedup")
    shown("파일: headlines.csv")  # the upload survived the page switch
    press("중복 찾기")
    shown("중복 그룹")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "접을 수 있는 중복 기사" in body and "Traceback" not in body
    screenshot(browser, "dedup")

    go("similar")
    shown("비슷한 기사")  # the first headline is picked: its neighbours are listed with cosine scores
    assert "코사인 유사도" in browser.find_element(By.TAG_NAME, "body").text
    screenshot(browser, "similar")

    go("model")
    shown("모델 카드")
    shown("최신 평가표")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "kpfnlp-mini" in body and "Traceback" not in body
    screenshot(browser, "model")
