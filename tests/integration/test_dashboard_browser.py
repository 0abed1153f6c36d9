"""The ops dashboard (``GET /badges/``, SPEC §7) in a real headless Chromium, on a real worker
with a local Credly: sign in with the ops token, look a learner up, see a failed issue and retry
it from the page, see the awards chart and the templates, sign out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from faust_badges.core.badges import badge_uuid
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.issuing import IssuedBadge
from faust_badges.samples import json_event, passing_status_data
from tests.integration.browser import (  # noqa: F401  (browser_fixture: the fixture)
    browser_fixture,
    save_screenshot,
    screenshot_on_failure,
)
from tests.integration.harness import (
    OPS_TOKEN,
    Deployment,
    WorkerProcess,
    running_worker,
)
from tests.servers.credly import LocalCredly

pytestmark = pytest.mark.integration

ORG = "6d3f3a46-0000-4000-8000-000000000002"
CREDLY_TEMPLATE = "0b9d3e62-0000-4000-8000-00000000000b"
CREDLY_KEY = "credly-dashboard-key"
TEMPLATE = "data-literacy"
COURSES = ("course-v1:Dash+Data101+2026", "course-v1:Dash+Data201+2026")
ISSUED = ("pending", "accepted")


def config(credly: LocalCredly) -> dict[str, Any]:
    def passed(course: str) -> list[dict[str, Any]]:
        return [
            {"path": "course.course_key", "op": "eq", "value": course},
            {"path": "is_passing", "op": "eq", "value": True},
        ]

    return {
        "templates": [
            {
                "id": TEMPLATE,
                "name": "Data Literacy",
                "description": "Passed both data courses",
                "issuer": {
                    "provider": "credly",
                    "organization_id": ORG,
                    "template_id": CREDLY_TEMPLATE,
                },
                "requirements": [
                    {
                        "id": f"pass-{i + 1}",
                        "event_type": COURSE_PASSING_STATUS,
                        "description": f"Pass {course}",
                        "rules": passed(course),
                    }
                    for i, course in enumerate(COURSES)
                ],
            }
        ],
        "providers": {
            "credly": {
                "api_base_url": credly.url,
                "organizations": [{"id": ORG, "api_key_env": "CREDLY_DASH_KEY"}],
            }
        },
    }


@pytest.fixture(scope="module")
def credly() -> Iterator[LocalCredly]:
    with LocalCredly(organizations={ORG: CREDLY_KEY}) as server:
        server.add_template(ORG, CREDLY_TEMPLATE, name="Data Literacy")
        yield server


@pytest.fixture(scope="module")
def deployment(
    kafka: str, credly: LocalCredly, tmp_path_factory: pytest.TempPathFactory
) -> Deployment:
    env = {
        "CREDLY_DASH_KEY": CREDLY_KEY,
        "PROVIDER_TIMEOUT": "2",
        "BADGES_ISSUER_RETRY_DELAY": "0.2",
        "BADGES_ISSUER_MAX_ATTEMPTS": "3",
    }
    app_id = f"dash-{uuid.uuid4().hex[:6]}"
    deployment = Deployment(kafka, app_id, tmp_path_factory.mktemp("dash"), extra_env=env)
    deployment.create_topics()
    deployment.apply_config(config(credly))
    return deployment


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[WorkerProcess]:
    with running_worker(deployment) as worker:
        yield worker


class Learner:
    def __init__(self, deployment: Deployment, user_id: int, name: str) -> None:
        self.deployment = deployment
        self.user_id = user_id
        self.username = f"learner-{uuid.uuid4().hex[:8]}"
        self.name = name
        self.badge = badge_uuid(deployment.namespace, self.username, TEMPLATE)
        self.event_ids: list[str] = []

    def passes_both_courses(self) -> None:
        messages = []
        for course in COURSES:
            data = passing_status_data(self.user_id, self.username, course, True)
            data["user"]["pii"]["name"] = self.name
            event_id = str(uuid.uuid4())
            self.event_ids.append(event_id)
            messages.append(
                json_event(
                    COURSE_PASSING_STATUS,
                    "course_passing_status",
                    data,
                    key=course,
                    event_id=event_id,
                )
            )
        self.deployment.send(messages)

    def wait_for_issue(self, *states: str, timeout: float = 60) -> IssuedBadge:
        return self.deployment.wait_for_issued(self.badge, *states, timeout=timeout)


# --- page helpers ------------------------------------------------------------------------------


def wait_for(driver: WebDriver, css: str, timeout: float = 20) -> WebElement:
    """The first element matching ``css`` once it is displayed."""
    element: WebElement = eventually(
        driver,
        lambda d: next(
            (e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None
        ),
        f"no visible {css!r}",
        timeout,
    )
    return element


def eventually(driver: WebDriver, check: Any, what: str, timeout: float = 30) -> Any:
    """Wait until ``check(driver)`` is truthy; page re-renders may replace elements meanwhile."""

    def attempt(d: WebDriver) -> Any:
        try:
            return check(d)
        except WebDriverException as exc:
            if _replaced_meanwhile(exc):
                return None
            raise

    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(attempt, what)


def _replaced_meanwhile(exc: WebDriverException) -> bool:
    """The page, or the part looked at, was replaced while we looked: look again.

    Chromedriver reports a node lost mid-navigation as a stale element or, at times, as an
    "unknown error" saying the node does not belong to the document.
    """
    if isinstance(exc, (NoSuchElementException, StaleElementReferenceException)):
        return True
    return "does not belong to the document" in str(exc.msg)


def search(driver: WebDriver, username: str) -> None:
    box = driver.find_element(By.ID, "learner-search")
    box.clear()
    box.send_keys(username)
    driver.find_element(By.ID, "learner-search-button").click()


def card(driver: WebDriver) -> WebElement:
    return wait_for(driver, f'.template-card[data-template-id="{TEMPLATE}"]')


def sign_in(driver: WebDriver, url: str) -> None:
    driver.get(url)
    # Not signed in: the login form, not the dashboard.
    token = wait_for(driver, "input[name=token]")
    assert not driver.find_elements(By.ID, "learner-search")
    token.send_keys("not-the-token", Keys.ENTER)
    # Refused: the form again, now with the message (waiting on the new page's own content,
    # not on the old one going stale: chromedriver may fail oddly on a node mid-navigation).
    assert "not right" in wait_for(driver, "p.error").text
    token = wait_for(driver, "input[name=token]")
    assert not driver.find_elements(By.ID, "learner-search")
    token.send_keys(OPS_TOKEN, Keys.ENTER)
    wait_for(driver, "#learner-search")


# --- the test ----------------------------------------------------------------------------------


def test_dashboard_shows_progress_and_retries_a_failed_issue(
    credly: LocalCredly,
    deployment: Deployment,
    worker: WorkerProcess,
    browser: WebDriver,
) -> None:
    # Markup in a learner's name must show as text, never run as HTML.
    ada = Learner(deployment, 101, 'Ada <b id="injected">Bold</b>')
    ada.passes_both_courses()
    issued = ada.wait_for_issue(*ISSUED)
    grace = Learner(deployment, 102, "Grace Hopper")
    credly.fail_next(400)  # Grace's issue is refused at once: state error
    grace.passes_both_courses()
    failed = grace.wait_for_issue("error")
    assert failed.last_error

    with screenshot_on_failure(browser, "dashboard"):
        sign_in(browser, f"http://127.0.0.1:{worker.port}/badges/")

        search(browser, f"nobody-{uuid.uuid4().hex[:6]}")
        eventually(
            browser,
            lambda d: "No such learner" in d.find_element(By.ID, "learner-error").text,
            "the unknown-learner message",
        )

        search(browser, ada.username)
        ada_card = card(browser)
        assert ada_card.get_attribute("data-ratio") == "1"
        bar = ada_card.find_element(By.CSS_SELECTOR, ".progress-bar")
        track = bar.find_element(By.XPATH, "..")
        assert abs(bar.size["width"] - track.size["width"]) <= 1  # a full bar
        assert "2 of 2 groups" in ada_card.text
        requirements = ada_card.find_elements(By.CSS_SELECTOR, "li.requirement")
        assert [r.get_attribute("data-fulfilled") for r in requirements] == ["true", "true"]
        shown_ids = [r.find_element(By.CSS_SELECTOR, ".event-id").text for r in requirements]
        assert shown_ids == ada.event_ids
        assert ada_card.find_element(By.CSS_SELECTOR, ".badge-status").text == "awarded"
        state = ada_card.find_element(By.CSS_SELECTOR, ".issuing-state").text
        assert state in ISSUED
        assert "credly" in ada_card.find_element(By.CSS_SELECTOR, ".issuing").text
        assert issued.external_id and issued.external_id in ada_card.text
        details = browser.find_element(By.ID, "learner-details").text
        assert '<b id="injected">Bold</b>' in details
        assert not browser.find_elements(By.ID, "injected")

        # The failed issue, with its Retry button; no learner PII in that table.
        failed_issues = browser.find_element(By.ID, "failed-issues")
        retry = eventually(
            browser,
            lambda d: d.find_element(
                By.CSS_SELECTOR, f'button.retry[data-badge-uuid="{grace.badge}"]'
            ),
            "the Retry button of the failed issue",
        )
        row = failed_issues.find_element(By.CSS_SELECTOR, f'tr[data-badge-uuid="{grace.badge}"]')
        assert "error" in row.text
        assert grace.username not in failed_issues.text and "@example.org" not in failed_issues.text

        # The awards chart has a bar for the two awards of the last minutes.
        bars = browser.find_elements(By.CSS_SELECTOR, "#awards-chart rect.bar.awarded")
        assert bars
        assert sum(int(b.get_attribute("data-count") or 0) for b in bars) >= 2

        # The templates overview.
        template_row = browser.find_element(
            By.CSS_SELECTOR, f'#templates-overview [data-template-id="{TEMPLATE}"]'
        )
        assert "Data Literacy" in template_row.text and "active" in template_row.text

        save_screenshot(browser, "dashboard-failed-issue")
        retry.click()
        eventually(browser, lambda d: retry.text == "Queued", "the retry queued (202)")

        # The issuer re-issues it: the learner view shows it issued, the failure list empties.
        search(browser, grace.username)

        def issued_again(d: WebDriver) -> bool:
            state = card(d).find_element(By.CSS_SELECTOR, ".issuing-state").text
            if state not in ISSUED:
                search(d, grace.username)  # look again
                return False
            return True

        eventually(browser, issued_again, "Grace's badge issued after the retry", timeout=60)
        grace.wait_for_issue(*ISSUED, timeout=5)

        def failure_gone(d: WebDriver) -> bool:
            d.find_element(By.ID, "failed-refresh").click()
            rows = f'#failed-issues [data-badge-uuid="{grace.badge}"]'
            return not d.find_elements(By.CSS_SELECTOR, rows)

        eventually(browser, failure_gone, "the failed issue gone from the list")

        search(browser, ada.username)
        card(browser)
        path = save_screenshot(browser, "dashboard")
        assert Path(path).stat().st_size > 0

        # Signing out forgets the token: the next visit is the login form again.
        browser.find_element(By.ID, "sign-out").click()
        wait_for(browser, "input[name=token]")
        browser.get(f"http://127.0.0.1:{worker.port}/badges/")
        wait_for(browser, "input[name=token]")
        assert not browser.find_elements(By.ID, "learner-search")
