"""A headless Chromium driven by Selenium, for the dashboard's browser test.

Debian's ``chromium`` and ``chromedriver`` (``scripts/ensure_chromium.sh`` installs them; ``make
test`` runs it first). Nothing is downloaded at run time: both paths are given, so Selenium
Manager is never asked to find a browser or a driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def headless_chromium(profile_dir: Path) -> Iterator[WebDriver]:
    """A fresh headless Chromium (its own profile in ``profile_dir``), quit on exit."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            pytest.fail(f"{path} is missing: run scripts/ensure_chromium.sh (make test does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",  # root on CI, no user namespaces for Chromium's sandbox
        "--disable-gpu",
        "--disable-background-networking",  # the machine has no internet: no update checks
        f"--user-data-dir={profile_dir}",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    # Keep the page's console, to attach it to a failure.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(name="browser")
def browser_fixture(tmp_path: Path) -> Iterator[WebDriver]:
    """A headless Chromium for one test: import ``browser_fixture`` into the test module."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with headless_chromium(profile) as driver:
        yield driver


def save_screenshot(driver: WebDriver, name: str) -> Path:
    """Save what the browser shows to ``test-artifacts/<name>.png`` (and its console log)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # The whole page, not the scrolled viewport: grow the window to the page for the shot.
    size = driver.get_window_size()
    page, viewport = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.innerHeight]"
    )
    wanted = size["height"] + max(0, int(page) - int(viewport))
    driver.set_window_size(size["width"], min(wanted, 6000))
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(size["width"], size["height"])
    try:
        console = "\n".join(f"{e['level']} {e['message']}" for e in driver.get_log("browser"))
    except Exception:  # the log is a nicety; never hide the real failure behind it
        console = "(no console log)"
    (ARTIFACTS / f"{name}-console.txt").write_text(console + "\n")
    return path


@contextmanager
def screenshot_on_failure(driver: WebDriver, name: str) -> Iterator[None]:
    """Save ``test-artifacts/<name>-failure.png`` when the block raises, then re-raise."""
    try:
        yield
    except BaseException:
        save_screenshot(driver, f"{name}-failure")
        raise
