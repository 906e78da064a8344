#!/usr/bin/python3
"""End-to-end check of `mailferry serve` in a real headless Chromium (Debian's chromium and
chromium-driver, driven by Debian's python3-selenium): the form filled by its labels, errors
shown, two mailboxes submitted, the status page followed live (no reload) through pause and
resume to done, the logs zip downloaded. Screenshots go to OUT_DIR. Prints a JSON summary.

Usage: SOURCE_PASSWORD=… TARGET_PASSWORD=… browser-check.py URL OUT_DIR SOURCE_HOST SOURCE_PORT USER1 USER2
(the passwords in the environment: never in a process list)
"""
import json, os, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, out_dir, host, port, user1, user2 = sys.argv[1:7]
source_password, target_password = os.environ["SOURCE_PASSWORD"], os.environ["TARGET_PASSWORD"]
summary = {"steps": []}

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)


def step(name):
    summary["steps"].append(name)


def by_label(text, nth=0):
    """The input a <label> with exactly this text names (the nth such label)."""
    labels = [l for l in driver.find_elements(By.TAG_NAME, "label") if l.text.strip() == text]
    return driver.find_element(By.ID, labels[nth].get_attribute("for"))


def button(name):
    for b in driver.find_elements(By.TAG_NAME, "button"):
        if b.text.strip() == name or b.get_attribute("aria-label") == name:
            return b
    raise LookupError(name)


def wait(condition, timeout=90, what=""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return True
        except Exception:
            pass
        time.sleep(0.3)
    raise TimeoutError(what)


def click_and_reload(name):
    """Clicks a button that posts a form, and waits for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "main")
    button(name).click()

    def gone():
        try:
            old.is_displayed()
            return False
        except Exception:
            return True
    wait(gone, 30, "the page after " + name)
    driver.execute_script("window.__notReloaded = true;")


def states():
    return [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#jobs td.state")]


try:
    driver.get(url)
    driver.save_screenshot(out_dir + "/form.png")
    step("form")
    # Nothing filled in: errors next to the fields at once (the page's own check, the server's
    # words), no round trip, nothing started.
    driver.execute_script("window.__notReloaded = true;")
    button("Submit").click()
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, "p.error"), 30, "errors")
    summary["errors"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.error")]
    summary["errorsWithoutRoundTrip"] = driver.execute_script("return window.__notReloaded === true;")
    summary["describedBy"] = by_label("IMAP server").get_attribute("aria-describedby")
    # A weak password is named the same way.
    by_label("Source password").send_keys("weak")
    button("Submit").click()
    summary["errors"] += [e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.error")]
    by_label("Source password").clear()
    driver.save_screenshot(out_dir + "/form-errors.png")
    step("errors")
    # Two mailboxes, by label; the second row added with "+".
    by_label("Email address to receive migration results").send_keys("admin@example.com")
    button("Add mailbox").click()
    summary["rows"] = len(driver.find_elements(By.CSS_SELECTOR, "fieldset.mailbox"))
    for index, user in enumerate([user1, user2]):
        by_label("IMAP server", index).clear()
        by_label("IMAP server", index).send_keys(host)
        by_label("Source email", index).clear()
        by_label("Source email", index).send_keys(user)
        by_label("Source password", index).send_keys(source_password)
        by_label("Destination password", index).send_keys(target_password)
        by_label("Port", index).clear()
        by_label("Port", index).send_keys(port)
    click_and_reload("Submit")
    wait(lambda: "/status/" in driver.current_url, 30, "the status page")
    summary["statusURL"] = driver.current_url
    step("submitted")
    # Live updates: the page is never reloaded while the jobs run (the marker would be gone).
    wait(lambda: "migrating" in states(), 60, "a job migrating")
    summary["sawLiveMigrating"] = driver.execute_script("return window.__notReloaded === true;")
    # One mailbox paused by its own button while the other goes on, then the whole batch.
    click_and_reload("Pause " + user1)
    wait(lambda: states()[0] == "paused", 60, "the first mailbox paused")
    summary["afterJobPause"] = states()
    click_and_reload("Pause")
    wait(lambda: states() and all(s in ("paused", "done") for s in states()), 60, "paused")
    summary["afterPause"] = states()
    step("paused")
    click_and_reload("Resume")
    wait(lambda: states() == ["done", "done"], 120, "done")
    summary["liveToDone"] = driver.execute_script("return window.__notReloaded === true;")
    summary["final"] = states()
    summary["progress"] = [p.get_attribute("value") for p in driver.find_elements(By.CSS_SELECTOR, "#jobs progress")]
    driver.save_screenshot(out_dir + "/status.png")
    driver.set_window_size(390, 844)
    driver.save_screenshot(out_dir + "/status-phone.png")
    summary["phoneOverflow"] = driver.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth + 1;")
    driver.set_window_size(1280, 1400)
    step("done")
    link = driver.find_element(By.LINK_TEXT, "Download logs").get_attribute("href")
    zip_head = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done([b.byteLength, Array.from(new Uint8Array(b.slice(0, 2)))]));",
        link)
    summary["zip"] = zip_head
    summary["pageText"] = driver.find_element(By.TAG_NAME, "body").text
    step("logs")
except Exception as error:
    summary["error"] = repr(error)
    summary["page"] = driver.page_source[-3000:]
    try:
        driver.save_screenshot(out_dir + "/failure.png")
    except Exception:
        pass
finally:
    driver.quit()
print(json.dumps(summary))
