"""What the browser tests do on every page: axe-core, screenshots, filling a step like a user,
switching the language, downloading a PDF and reading its text."""

import io
import os
import re
from pathlib import Path
from typing import Any

from django.utils import translation
from pypdf import PdfReader

from tests.form_filling import valid_step_post

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
#: Where the screenshots go; $AMTSWEG_SCREENSHOTS chooses another folder.
SCREENSHOTS = Path(os.environ.get("AMTSWEG_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
#: The WCAG 2.1 A and AA rules (BITV 2.0).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_AXE_RUN, AXE_TAGS)


def describe(violations: list[dict[str, Any]], where: str) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(str(node["summary"] or "").split())
            lines.append(f"    {node['target']}  –  {summary[:300]}")
    return "\n".join(lines)


class Auditor:
    """Runs axe on each page the journey passes and collects the findings, so that one run
    reports every page's violations (the test fails at the end if there are any)."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        self.pages: list[str] = []
        self.texts: dict[str, str] = {}

    def check(self, page: Any, name: str) -> None:
        language = page.evaluate("document.documentElement?.lang")
        where = f"{name} [{language}] {page.url}"
        self.pages.append(where)
        self.texts[where] = page.inner_text("body")
        violations = axe_violations(page)
        if violations:
            self.findings.append(describe(violations, where))

    def assert_clean(self) -> None:
        assert not self.findings, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(
            self.findings
        )


def screenshot(page: Any, name: str) -> None:
    """The page at desktop and phone width, whole length, into artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def translated(message: str, language: str) -> str:
    """The platform's text in ``language``, from its catalogue: the tests find buttons and
    links by the name a user reads, in either language, without copying translations."""
    with translation.override(language):
        return translation.gettext(message)


def switch_language(page: Any, to: str) -> None:
    """Press the header's language button (it names the other language in that language);
    the page reloads in that language at the same address."""
    button = page.locator(f'.amtsweg-language button[value="{to}"]')
    url = page.url.split("#")[0]
    button.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == to
    assert page.url.split("#")[0] == url  # the journey continues where it was


def download(page: Any, link: Any) -> bytes:
    """Click ``link`` and return the file the browser downloads."""
    with page.expect_download() as started:
        link.click()
    path = started.value.path()
    return Path(path).read_bytes()


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as pypdf extracts it (whitespace made single)."""
    assert content.startswith(b"%PDF-"), content[:200]
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def make_receipt(submission_id: int) -> None:
    """Run the submit's queued follow-up job (confirmation mail and receipt PDF) for this
    submission, as the worker would. The browser tests run no worker beside the live server,
    and running every job the demo has queued (its applications' receipts) would take half a
    minute."""
    from django_tasks_db.models import DBTaskResult

    from amtsweg.submissions.tasks import follow_up_submission

    jobs = [
        row
        for row in DBTaskResult.objects.filter(
            task_path=follow_up_submission.module_path, status="READY"
        )
        if row.args_kwargs["args"] == [submission_id]
    ]
    assert len(jobs) == 1, f"{len(jobs)} follow-up jobs queued for submission {submission_id}"
    result = follow_up_submission.call(
        *jobs[0].args_kwargs["args"], **jobs[0].args_kwargs["kwargs"]
    )
    assert result["receipt"] == "generated", result


def step_key(url: str) -> str | None:
    match = re.search(r"/schritt/([^/]+)/", url)
    return match.group(1) if match else None


def fill_step(page: Any, step: dict[str, Any], overrides: dict[str, str] | None = None) -> None:
    """Answer every visible field of ``step`` as a careful applicant would (by name, like a
    browser's form: text typed, radios and boxes ticked, selects chosen)."""
    answers = valid_step_post(step)
    for name, value in (overrides or {}).items():
        answers[name] = [value]
    for name, values in answers.items():
        elements = page.locator(f'[name="{name}"]')
        if elements.count() == 0:
            continue
        first = elements.first
        kind = first.get_attribute("type") or first.evaluate("e => e.tagName.toLowerCase()")
        if kind == "hidden" or (not first.is_visible() and kind not in ("radio", "checkbox")):
            continue
        if first.get_attribute("readonly") is not None:
            continue  # locked: the value comes from the applicant's BundID account
        if kind in ("radio", "checkbox"):
            for value in values:
                choose(page, name, value)
        elif kind == "select":
            first.select_option(values[0])
        else:
            first.fill(values[0])


def choose(page: Any, name: str, value: str) -> None:
    """Tick a radio button or box by clicking its label, as people do (KERN's inputs grow
    their border under the pointer, so Playwright never sees them "stable")."""
    option = page.locator(f'[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{option.get_attribute("id")}"]').click()
    assert option.is_checked()


def write_pdf(path: Path) -> Path:
    """A tiny valid one-page PDF (for the evidence upload)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(body)
    return path


CATALOGUE = ROOT / "src" / "amtsweg" / "locale" / "de" / "LC_MESSAGES" / "django.po"
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{\w*\}")


def _po_entries(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file; plural forms give (msgid_plural, msgstr[1])."""
    entries: list[tuple[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        if current.get("msgid") and not fuzzy:
            entries.append((current["msgid"], current.get("msgstr", current.get("msgstr[0]", ""))))
            if "msgid_plural" in current:
                entries.append((current["msgid_plural"], current.get("msgstr[1]", "")))
        elif current.get("msgid"):
            entries.append((current["msgid"], ""))  # gettext ignores fuzzy translations

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            current, fuzzy = {}, True
            continue
        match = re.match(r"(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) \"(.*)\"$", line)
        if match:
            if match.group(1) in ("msgid", "msgctxt") and "msgstr" in "".join(current):
                flush()
                current, fuzzy = {}, fuzzy if not current else False
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line.strip():
            flush()
            current, key, fuzzy = {}, "", False
    flush()
    return [(m.replace('\\"', '"'), t) for m, t in entries]


def english_phrases() -> set[str]:
    """Phrases of the platform's English messages that German pages must not show: every run
    of three or more words between placeholders, from messages whose German text differs."""
    phrases = set()
    for msgid, msgstr in _po_entries(CATALOGUE):
        if msgstr == msgid:
            continue  # the same in both languages
        for part in _PLACEHOLDER.split(msgid):
            words = part.split()
            if len(words) >= 3:
                phrases.add(" ".join(words))
    return phrases


def english_leftovers(texts: dict[str, str]) -> list[str]:
    phrases = english_phrases()
    found = []
    for where, text in texts.items():
        flat = " ".join(text.split())
        found += [f"{where}: “{phrase}”" for phrase in sorted(phrases) if phrase in flat]
    return found
