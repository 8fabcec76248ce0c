#!/usr/bin/python3
"""Loads reports in headless Chromium (Debian's chromium) and checks what a reader gets:
the page's script runs without a console error, the tables, charts and listings exist,
nothing is fetched from the network, hostile names do not run, and a screenshot is kept.

usage: browser_test.py RUN_DIR HOSTILE_PAGE ARTIFACT_DIR
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags that keep Chromium from calling home (its own background requests would
# otherwise show up in the network log and be refused by this machine's closed network).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]


def chromium(url, *extra):
    with tempfile.TemporaryDirectory() as profile:
        netlog = pathlib.Path(profile) / "netlog.json"
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *extra, url],
            capture_output=True, text=True, timeout=120)
        net = netlog.read_text() if netlog.exists() else ""
    return result, net


def console_errors(stderr):
    # Chromium logs page console messages as ...:CONSOLE(line)] "text", source: ...
    errors = []
    for line in stderr.splitlines():
        if "CONSOLE" in line and ("Uncaught" in line or "Error" in line or ":ERROR:" in line):
            errors.append(line)
    return errors


def fetched_urls(netlog):
    """Every URL a page asked the network stack for, other than file: and data:.

    Requests on behalf of a page carry its origin as "initiator" ("null" for a file://
    page); the browser's own background requests say "not an origin" and are not the
    page's doing."""
    document = json.loads(netlog)
    names = {v: k for k, v in document["constants"]["logEventTypes"].items()}
    urls = set()
    for event in document["events"]:
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB":
            continue
        url = params.get("url") or ""
        if params.get("initiator") == "not an origin":
            continue
        if url and not url.startswith(("file:", "data:", "about:", "chrome:")):
            urls.add(url)
    return urls


def check(condition, message):
    if not condition:
        raise SystemExit("FAILED: " + message)


def main():
    run_dir, hostile, artifacts = map(pathlib.Path, sys.argv[1:4])
    artifacts.mkdir(parents=True, exist_ok=True)

    # The request detector has teeth: a page that fetches is caught.
    control = artifacts / "fetching-control.html"
    control.write_text('<img src="http://example.invalid/a.png"><script>fetch("https://example.invalid/b")</script>')
    _, net = chromium(control.resolve().as_uri(), "--dump-dom")
    caught = fetched_urls(net)
    check({"http://example.invalid/a.png", "https://example.invalid/b"} <= caught,
          f"the request detector missed the control page's requests: {sorted(caught)}")
    page = (run_dir / "index.html").resolve()
    url = page.as_uri() + "#asm-all"

    result, net = chromium(url, "--dump-dom")
    check(result.returncode == 0, f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
    dom = result.stdout
    check('data-ready="1"' in dom, "the page script did not finish (no data-ready on <body>)")
    errors = console_errors(result.stderr)
    check(not errors, "console errors:\n" + "\n".join(errors))
    check('<table class="cases">' in dom, "no case table")
    check('<svg class="chart"' in dom, "no chart")
    check('<table class="asm">' in dom, "no annotated listing was drawn")
    check('<table class="sbs">' in dom, "no side-by-side diff was drawn")
    urls = fetched_urls(net)
    check(not urls, f"the page made network requests: {sorted(urls)}")

    shot = artifacts / "index.png"
    result, _ = chromium(page.as_uri(), f"--screenshot={shot}", "--window-size=1400,2200")
    check(shot.exists() and shot.stat().st_size > 10000, "no screenshot")

    # The hostile page: its names and operands are markup that sets document.title to
    # 'pwned' if it ever runs. The report script must have run and drawn them (an unchanged
    # title alone proves nothing: a page whose script never ran keeps its title too), as
    # text, and none of them may have become an element or run.
    result, _ = chromium(hostile.resolve().as_uri() + "#asm-all", "--dump-dom")
    dom = result.stdout
    check(result.returncode == 0, f"chromium exited {result.returncode} on the hostile page")
    check('data-ready="1"' in dom, "the hostile page's script did not finish")
    check(not console_errors(result.stderr), "console errors on the hostile page")
    # The listing rows exist only when the script drew them (the server-side HTML has none):
    # the hostile operand, escaped, in a code cell of the drawn listing.
    drawn = re.findall(r'<td class="code">([^<]*)</td>', dom)
    payload = "&lt;script&gt;document.title='pwned'&lt;/script&gt;"
    check(any(payload in cell for cell in drawn),
          f"the script did not draw the hostile operand as text (code cells: {drawn[:4]})")
    title = re.search(r"<title>(.*?)</title>", dom)
    check(title and title.group(1) == "deferlab report hostile",
          f"hostile markup ran: the title is {title and title.group(1)!r}")
    for element in ("<script>document.title", "<svg onload", "<img src=\"x\"", "<img src=x"):
        check(element not in dom, f"hostile markup became an element: {element}")
    print("ok: script ran, no console error, no request; screenshot", shot)


if __name__ == "__main__":
    main()
