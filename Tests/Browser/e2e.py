"""End-to-end checks of `crmgate serve` in headless Chromium, driven by Selenium.

    python e2e.py URL SHOTS_DIR PAIR_ID CONFLICT_ID OPPORTUNITY_ID TASK_ID[,TASK_ID...]

URL is the sign-in URL `crmgate serve` printed. Every page visited is saved as a PNG in SHOTS_DIR. The script
acts as a person would (sign in, accept a review pair, resolve a conflict taking one field from each side, move a
kanban card, reschedule tasks as a user without and with the permission) and fails (exit 1) when the page does
not answer as expected or a script other than the page's own runs (an alert from a hostile value). It prints one
line per step; the caller checks the store.
"""
import json
import os
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

url, shots, pair_id, conflict_id, opp_id, task_ids = sys.argv[1:7]
task_ids = task_ids.split(",")
base = url.split("/signin")[0]
os.makedirs(shots, exist_ok=True)

options = Options()
for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
          "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
    options.add_argument(a)
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
shot = [0]


def step(msg):
    print(msg, flush=True)


def fail(msg):
    step("FAIL " + msg)
    driver.quit()
    sys.exit(1)


def no_alert(where):
    try:
        a = driver.switch_to.alert
        text = a.text
        a.dismiss()
        fail(f"a script ran on {where}: alert({text!r})")
    except NoAlertPresentException:
        pass


def after(action, title, name):
    """The page an action led to must be `title` (not an error page); saved as a screenshot."""
    no_alert(action)
    shot[0] += 1
    driver.save_screenshot(os.path.join(shots, f"{shot[0]:02d}-{name}.png"))
    h1 = driver.find_element(By.TAG_NAME, "h1").text
    if h1 != title:
        fail(f"{action}: the page is '{h1}', not '{title}': {driver.find_element(By.TAG_NAME, 'main').text[:300]}")


def visit(path, name):
    driver.get(base + path)
    no_alert(path)
    shot[0] += 1
    driver.save_screenshot(os.path.join(shots, f"{shot[0]:02d}-{name}.png"))
    if "not signed in" in driver.page_source.lower():
        fail(f"{path}: not signed in")


try:
    # Sign in: the token becomes a cookie the page's script cannot read (HttpOnly).
    driver.get(url)
    no_alert("sign-in")
    if driver.execute_script("return document.cookie") != "":
        fail("the session cookie is readable by scripts")
    port = base.rsplit(":", 1)[1]
    cookie_name = "crmgate_session_" + port
    cookie = {c["name"]: c["value"] for c in driver.get_cookies()}.get(cookie_name)
    if not cookie:
        fail(f"no session cookie {cookie_name} after sign-in")
    step("signed in")

    # Every page once (hostile values are in the fixture): no alert, a screenshot each.
    for path, name in [("/", "status"), ("/imports", "imports"), ("/review", "review"), ("/conflicts", "conflicts"),
                       ("/leads", "leads"), ("/leads?view=board", "leads-board"), ("/opportunities", "opportunities"),
                       ("/opportunities?view=board", "opportunities-board"), ("/tasks", "tasks"), ("/tasks/calendar?month=2026-11", "calendar")]:
        visit(path, name)
    step("every page rendered, no script ran")

    # Requests without the session, or with it but without the CSRF token, are refused and change nothing.
    def post(path, data, cookie_value=None):
        req = urllib.request.Request(base + path, data=data.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        if cookie_value:
            req.add_header("Cookie", cookie_name + "=" + cookie_value)
        try:
            return urllib.request.urlopen(req).status
        except urllib.error.HTTPError as e:
            return e.code
    if post(f"/review/{pair_id}/accept", "csrf=x") != 401:
        fail("a change without the session was not refused with 401")
    if post(f"/review/{pair_id}/accept", "", cookie) != 403:
        fail("a change without the CSRF token was not refused with 403")
    step("changes without session (401) or CSRF token (403) refused")

    # Accept the review pair with its button.
    visit("/review", "review-before")
    driver.find_element(By.CSS_SELECTOR, f"form[action='/review/{pair_id}/accept'] button").click()
    after("review accept", "Review", "review-after")
    if f"pair-{pair_id}" in driver.page_source:
        fail("the accepted pair is still listed")
    step("review pair accepted")

    # Resolve the conflict: company from the remote, phone from the local side.
    visit("/conflicts", "conflict-before")
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='/conflicts/{conflict_id}/resolve']")
    form.find_element(By.CSS_SELECTOR, "input[name='choose.company'][value='remote']").click()
    form.find_element(By.CSS_SELECTOR, "input[name='choose.phone'][value='local']").click()
    form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    after("conflict resolve", "Conflicts", "conflicts-after")
    if f"conflict-{conflict_id}" in driver.page_source:
        fail("the resolved conflict is still listed")
    step("conflict resolved")

    # Move a kanban card to Won.
    visit("/opportunities?view=board", "board-before")
    card = driver.find_element(By.ID, f"card-{opp_id}")
    Select(card.find_element(By.NAME, "to")).select_by_value("Won")
    card.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    after("move card", "Opportunities", "board-after")
    won = driver.find_element(By.CSS_SELECTOR, "section.column[data-column='Won']")
    if not won.find_elements(By.ID, f"card-{opp_id}"):
        fail("the card is not in the Won column after the move")
    step("card moved to Won")

    def bulk_reschedule(user, name):
        Select(driver.find_element(By.ID, "acting-user")).select_by_value(user)
        driver.find_element(By.CSS_SELECTOR, "form.who button").click()
        after("switch user", "Status", f"switched-{name}")
        visit("/tasks", f"tasks-{name}")
        for tid in task_ids:
            driver.find_element(By.CSS_SELECTOR, f"input[name='task'][value='{tid}']").click()
        days = driver.find_element(By.NAME, "days")
        days.clear()
        days.send_keys("2")
        driver.find_element(By.CSS_SELECTOR, "#bulk button[type='submit']").click()
        after("bulk reschedule", "Tasks", f"tasks-{name}-result")
        results = driver.find_element(By.ID, "results")
        return (len(results.find_elements(By.CSS_SELECTOR, "span.refused")), len(results.find_elements(By.CSS_SELECTOR, "span.done")))

    refused, done = bulk_reschedule("Pablo Ruiz", "without-permission")
    if refused != len(task_ids) or done != 0:
        fail(f"as Pablo Ruiz: {refused} refused, {done} done")
    step(f"as a user without the permission: {refused} refused")
    refused, done = bulk_reschedule("Grace Kim", "with-permission")
    if done != len(task_ids) or refused != 0:
        fail(f"as Grace Kim: {refused} refused, {done} done")
    step(f"as a user with the permission: {done} rescheduled")
    print(json.dumps({"ok": True, "screenshots": shot[0]}), flush=True)
finally:
    try:
        driver.quit()
    except Exception:
        pass
