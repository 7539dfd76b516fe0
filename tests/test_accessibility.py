"""The HTML report in a browser: axe-core finds no violation at desktop and phone widths (also
with every figure shown at full size), tables fit a desktop screen, figures can be read on a
phone. Runs Debian's headless Chromium through Selenium and axe-selenium-python, with the
axe-core engine of the axe-core-python package (4.x: axe-selenium-python's own is 3.1, which
does not know rules such as scrollable-region-focusable).
"""

from __future__ import annotations

import shutil
from importlib import resources

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

pytestmark = pytest.mark.e2e

INSTALL = "apt-get install -y --no-install-recommends chromium chromium-driver"
AXE_CORE = str(resources.files("axe_core_python") / "axe.min.js")
DESKTOP, PHONE = 1280, 390
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic")


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip(f"headless Chromium is not installed; to run these checks: {INSTALL}")
    options = Options()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=Service(driver))
    yield session
    session.quit()


@pytest.fixture(scope="module")
def report_url(built_project) -> str:
    return (built_project["project"] / "outputs" / "2025" / "report" / "eaamr_2025.html").as_uri()


def open_at(browser, url: str, width: int) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get(url)


def axe_violations(browser) -> list[str]:
    axe = Axe(browser, script_url=AXE_CORE)
    axe.inject()
    return [f"{v['impact']}: {v['id']} ({len(v['nodes'])} elements: {v['help']})"
            for v in axe.run()["violations"]]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_axe_finds_no_violation(browser, report_url, width):
    open_at(browser, report_url, width)
    assert axe_violations(browser) == []


def test_axe_finds_no_violation_with_figures_at_full_size(browser, report_url):
    open_at(browser, report_url, PHONE)
    buttons = browser.find_elements("css selector", ".figure-zoom")
    assert len(buttons) == 9
    for button in buttons:
        browser.execute_script("arguments[0].click()", button)
    assert axe_violations(browser) == []


def test_every_table_column_is_in_view_on_a_desktop_screen(browser, report_url):
    open_at(browser, report_url, DESKTOP)
    hidden = browser.execute_script("""
        return [...document.querySelectorAll('main table')].flatMap((table, index) => {
          const right = table.getBoundingClientRect().right;
          return [...table.querySelectorAll('th')]
            .filter(th => th.getBoundingClientRect().right > right + 1)
            .map(th => `table ${index + 1}: ${th.textContent.trim()}`);
        });""")
    assert hidden == []


def test_a_figure_at_full_size_is_as_wide_as_printed_on_a_phone(browser, report_url):
    open_at(browser, report_url, PHONE)
    button = browser.find_elements("css selector", ".figure-zoom")[2]
    assert button.text == "Show figure 3 at full size"
    browser.execute_script("arguments[0].click()", button)
    width, focusable = browser.execute_script("""
        const frame = document.querySelectorAll('.figure-frame')[2];
        return [frame.querySelector('img').getBoundingClientRect().width,
                frame.getAttribute('tabindex')];""")
    assert width >= 56 * 16  # 56rem: an A4 text width and more, for labels of 7 pt or more
    assert focusable == "0"
    assert button.text == "Fit figure 3 to the page"
