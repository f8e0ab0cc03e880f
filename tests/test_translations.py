"""The German catalogue (src/amtsweg/locale/de/LC_MESSAGES/django.po) is complete and clean.

The msgids in code and templates are English; German is the default language, so every msgid
needs a German msgstr. These tests read the .po text itself, so they do not depend on the
gitignored .mo file that `make messages` builds. Two tests need the gettext tools (msgfmt,
xgettext) and are skipped without them.

To update the catalogue after changing strings in code or templates:

    cd src/amtsweg && ../../.venv/bin/amtsweg makemessages -l de -e html,txt,py \\
        --ignore='*/tests/*' --ignore='*/migrations/*' --ignore='static/*'

then translate the new entries, delete obsolete (#~) ones and run `make messages`.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

import amtsweg
from tests.saml_flow import saml_settings, saml_var_dir  # noqa: F401 (fixtures)

PACKAGE_DIR = Path(amtsweg.__file__).resolve().parent
PO_PATH = PACKAGE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"

# The same options as in the module docstring (makemessages adds its defaults).
MAKEMESSAGES_IGNORE = ["*/tests/*", "*/migrations/*", "static/*"]
MAKEMESSAGES_EXTENSIONS = ["html", "txt", "py"]

# Words that are deliberately the same in German and English.
SAME_IN_GERMAN = {
    "Status",
    "optional",
    "AGS",
    "ARS",
    "Code",
    "Version",
    "Version %(number)s",
    "Online-Ausweis (eID)",
    "Mein Amtsweg",
    "Online",
    "online",
    "%(name)s (%(municipality)s)",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{where}: not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """A minimal .po parser: comments, flags, msgctxt, msgid, msgid_plural, msgstr[n]."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"django.po:{number}"
        if not line:
            entry, target = None, None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith(("#", "|")):
                continue
        elif line.startswith("#"):
            if entry is None or target is not None:
                entry, target = Entry(line=number), None
                entries.append(entry)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword_match = re.match(
            r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(.*)$", line
        )
        if keyword_match:
            keyword, index, rest = keyword_match.groups()
            after_msgstr = target is not None and target[0] == "msgstr"
            if keyword in ("msgctxt", "msgid") and (entry is None or after_msgstr):
                entry = Entry(line=number)
                entries.append(entry)
            if entry is None:
                raise ValueError(f"{where}: {keyword} outside an entry")
            entry.obsolete = entry.obsolete or obsolete
            target = (keyword, int(index or 0))
            value = _unquote(rest, where)
            if keyword == "msgstr":
                entry.msgstr[target[1]] = value
            else:
                setattr(entry, keyword, value)
        elif line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            value = _unquote(line, where)
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, keyword, getattr(entry, keyword) + value)
        else:
            raise ValueError(f"{where}: cannot parse {raw!r}")
    return entries


def header_and_messages(entries: list[Entry]) -> tuple[Entry, list[Entry]]:
    live = [entry for entry in entries if not entry.obsolete]
    headers = [entry for entry in live if entry.msgid == "" and entry.msgctxt is None]
    assert len(headers) == 1, 'The catalogue needs exactly one header entry (msgid "").'
    return headers[0], [entry for entry in live if entry is not headers[0]]


@pytest.fixture(scope="module")
def po_text() -> str:
    assert PO_PATH.is_file(), f"The German catalogue is missing: {PO_PATH}"
    return PO_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def entries(po_text: str) -> list[Entry]:
    return parse_po(po_text)


@pytest.fixture(scope="module")
def messages(entries: list[Entry]) -> list[Entry]:
    return header_and_messages(entries)[1]


def describe(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


# --- the parser itself ---------------------------------------------------------------------


def test_parser_reads_plurals_continuations_flags_and_obsolete_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        "#: a.py:1\n#, python-format\n"
        'msgid "%(n)s file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "%(n)s Datei"\n'
        'msgstr[1] "%(n)s Da"\n"teien"\n\n'
        'msgctxt "kind"\nmsgid "town"\nmsgstr "Stadt"\n\n'
        'msgid ""\n"a \\"b\\"\\n"\nmsgstr "„b“\\n"\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n'
    )
    header, plural, context, quoted, gone = parse_po(text)
    assert header.msgid == "" and header.msgstr == {0: "Language: de\n"}
    assert plural.flags == {"python-format"}
    assert plural.msgid_plural == "%(n)s files"
    assert plural.msgstr == {0: "%(n)s Datei", 1: "%(n)s Dateien"}
    assert context.key == ("kind", "town") and context.msgstr == {0: "Stadt"}
    assert quoted.msgid == 'a "b"\n' and quoted.msgstr == {0: "„b“\n"}
    assert gone.obsolete and gone.msgid == "gone"


# --- the catalogue as text ------------------------------------------------------------------


def test_header_declares_german_utf8_and_two_plural_forms(entries):
    header, _ = header_and_messages(entries)
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields.get("Language") == "de"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert fields.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in header.flags


def test_catalogue_is_not_empty(messages):
    assert len(messages) > 100


def test_no_fuzzy_entries(messages):
    fuzzy = [describe(entry) for entry in messages if "fuzzy" in entry.flags]
    assert not fuzzy, "Fuzzy entries (check the translation, then delete the flag):\n" + "\n".join(
        fuzzy
    )


def test_no_obsolete_entries(entries):
    obsolete = [describe(entry) for entry in entries if entry.obsolete]
    assert not obsolete, "Delete the obsolete (#~) entries:\n" + "\n".join(obsolete)


def test_every_entry_is_translated(messages):
    untranslated = []
    for entry in messages:
        expected_forms = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms or not all(entry.msgstr.values()):
            untranslated.append(describe(entry))
    assert not untranslated, "Untranslated entries:\n" + "\n".join(untranslated)


def test_no_duplicate_entries(messages):
    keys = [entry.key for entry in messages]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates


def test_translations_differ_from_the_english_msgid(messages):
    same = [
        describe(entry)
        for entry in messages
        if entry.msgstr.get(0) == entry.msgid and entry.msgid not in SAME_IN_GERMAN
    ]
    assert not same, (
        "These entries are still English (or add them to SAME_IN_GERMAN):\n" + "\n".join(same)
    )


def test_allow_list_holds_only_words_in_the_catalogue(messages):
    assert {entry.msgid for entry in messages} >= SAME_IN_GERMAN


def test_placeholders_are_kept(messages):
    broken = []
    for entry in messages:
        sources = {0: entry.msgid, 1: entry.msgid_plural or entry.msgid}
        for index, translated in entry.msgstr.items():
            expected = sorted(PLACEHOLDER.findall(sources.get(index, entry.msgid)))
            if sorted(PLACEHOLDER.findall(translated)) != expected:
                broken.append(f"{describe(entry)} msgstr[{index}] = {translated!r}")
    assert not broken, "Placeholders differ from the msgid:\n" + "\n".join(broken)


def test_line_breaks_are_kept(messages):
    broken = [
        describe(entry)
        for entry in messages
        for translated in entry.msgstr.values()
        if translated.count("\n") != entry.msgid.count("\n")
    ]
    assert not broken


def test_german_quotation_marks(messages):
    """English “…” becomes German „…“; straight quotes are not used for quoting."""
    wrong = []
    for entry in messages:
        for translated in entry.msgstr.values():
            if "“" in entry.msgid and "„" not in translated:
                wrong.append(f"{describe(entry)}: {translated!r}")
            # A JSON example (a help text showing a format) keeps its straight quotes.
            if '{"' not in translated and re.search(r"(^|\s)['\"]\w", translated):
                wrong.append(f"{describe(entry)}: {translated!r}")
    assert not wrong, "Use „…“ in German text:\n" + "\n".join(wrong)


def test_established_terms(messages):
    """Spot checks of the terms the citizen journey and the back office rely on."""
    translated = {entry.msgid: entry.msgstr[0] for entry in messages if entry.msgctxt is None}
    expected = {
        "in review": "in Prüfung",
        "received": "eingegangen",
        "withdrawn": "zurückgezogen",
        "Reference number": "Aktenzeichen",
        "Access code": "Zugangscode",
        "Inbox": "Posteingang",
        "Claim case": "Vorgang übernehmen",
        "Skip to main content": "Zum Hauptinhalt springen",
        "Error:": "Fehler:",
        "clerk": "Sachbearbeitung",
    }
    for msgid, msgstr in expected.items():
        if msgid in translated:
            assert translated[msgid] == msgstr, msgid


# --- the catalogue through gettext and Django -------------------------------------------------


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs msgfmt (gettext)")
def test_catalogue_compiles_and_django_serves_it(messages, settings, tmp_path):
    """msgfmt --check accepts the .po, and Django's gettext returns its German text."""
    mo_path = tmp_path / "de" / "LC_MESSAGES" / "django.mo"
    mo_path.parent.mkdir(parents=True)
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", str(mo_path), str(PO_PATH)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    settings.LOCALE_PATHS = [tmp_path]
    not_german = []
    with translation.override("de"):
        for entry in messages:
            if entry.msgid_plural is not None:
                pairs = [
                    (translation.ngettext(entry.msgid, entry.msgid_plural, 1), entry.msgid),
                    (translation.ngettext(entry.msgid, entry.msgid_plural, 5), entry.msgid_plural),
                ]
            elif entry.msgctxt is not None:
                pairs = [(translation.pgettext(entry.msgctxt, entry.msgid), entry.msgid)]
            else:
                pairs = [(translation.gettext(entry.msgid), entry.msgid)]
            for german, english in pairs:
                if german == english and english not in SAME_IN_GERMAN:
                    not_german.append(describe(entry))
        assert translation.gettext("in review") == "in Prüfung"
    assert not not_german, "Django returns English for:\n" + "\n".join(not_german)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs xgettext (gettext)")
def test_catalogue_matches_the_source(messages, settings, tmp_path, monkeypatch):
    """makemessages over a copy of the source finds exactly the msgids of the catalogue."""
    source = tmp_path / "amtsweg"
    shutil.copytree(
        PACKAGE_DIR,
        source,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.mo"),
    )
    output = tmp_path / "locale"
    output.mkdir()
    settings.LOCALE_PATHS = [output]
    monkeypatch.chdir(source)
    call_command(
        "makemessages",
        locale=["de"],
        extensions=MAKEMESSAGES_EXTENSIONS,
        ignore_patterns=MAKEMESSAGES_IGNORE,
        verbosity=0,
    )
    generated = parse_po((output / "de" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    source_keys = {entry.key for entry in header_and_messages(generated)[1]}
    catalogue_keys = {entry.key for entry in messages}

    missing = sorted(source_keys - catalogue_keys, key=str)
    stale = sorted(catalogue_keys - source_keys, key=str)
    assert not missing, (
        "Strings in the source but not in the catalogue (run makemessages, see the module "
        "docstring):\n" + "\n".join(repr(key[1]) for key in missing)
    )
    assert not stale, "Entries no longer in the source (delete them):\n" + "\n".join(
        repr(key[1]) for key in stale
    )


# --- the rendered citizen pages, in German ----------------------------------------------------
#
# The catalogue can be complete while a page still shows English: a msgid missing from the
# catalogue, text resolved in the wrong language, or a string that never passes gettext. So
# the citizen journey is rendered in German (the default language) and checked twice: every
# gettext call made while rendering must have found German, and no English catalogue text may
# stand in the page.

_GETTEXT_FUNCTIONS = {
    # name: which arguments are the English text(s) the call may return unchanged
    "gettext": lambda args: args[:1],
    "ngettext": lambda args: args[:2],
    "pgettext": lambda args: args[1:2],
    "npgettext": lambda args: args[1:3],
}


#: Texts from Django's or the settings' own catalogues that read the same in German.
SAME_IN_GERMAN_ELSEWHERE = {"Deutsch", "April", "August", "September", "November"}


def _needs_german(text: str) -> bool:
    words = re.sub(PLACEHOLDER, "", str(text))
    same = SAME_IN_GERMAN | SAME_IN_GERMAN_ELSEWHERE
    return any(character.isalpha() for character in words) and text not in same


@pytest.fixture
def untranslated(monkeypatch) -> set[str]:
    """English texts that gettext returned unchanged while the language was German."""
    found: set[str] = set()
    for name, english_of in _GETTEXT_FUNCTIONS.items():
        original = getattr(translation._trans, name)

        def recording(*args, _original=original, _english_of=english_of):
            result = _original(*args)
            german = translation.get_language() == "de"
            if german and result in _english_of(args) and _needs_german(result):
                found.add(str(result))
            return result

        monkeypatch.setattr(translation._trans, name, recording)
    return found


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _english_phrases(messages: list[Entry]) -> set[str]:
    """Runs of at least three words from msgids whose German differs: text that can only
    be English when it stands in a page."""
    phrases = set()
    for entry in messages:
        if entry.msgstr.get(0) == entry.msgid or entry.msgid in SAME_IN_GERMAN:
            continue
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for chunk in re.split(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\n", msgid):
                chunk = " ".join(chunk.split()).strip(" .,:;–-")
                if len(chunk.split()) >= 3:
                    phrases.add(chunk)
    return phrases


def _citizen_pages(client, reference_for) -> dict[str, str]:
    """Every page of the dog-tax journey a citizen passes, rendered in German: name → HTML."""
    from django.urls import reverse

    from tests.form_filling import valid_step_post

    pages: dict[str, str] = {}

    def get(name: str, url: str, **data: str) -> None:
        response = client.get(url, data)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()

    get("portal", "/")
    get("portal search", "/", q="Darmstadt")
    get("municipality", reverse("catalog:municipality", args=["darmstadt"]))
    get("service", reverse("catalog:offering", args=["darmstadt", "hundesteuer"]))
    for kind in ("imprint", "privacy", "accessibility"):
        get(f"platform {kind}", reverse(f"core:{kind}"))
        get(f"municipality {kind}", reverse(f"core:{kind}", args=["darmstadt"]))

    start = client.post(reverse("submissions:start", args=["darmstadt", "hundesteuer"]))
    url = start["Location"]
    steps = reference_for("hundesteuer")
    errors = client.post(url, {"owner_birth_date.month": "13"})
    assert errors.status_code == 200
    pages["step with errors"] = errors.content.decode()
    while "/schritt/" in url:
        key = url.split("/schritt/")[1].strip("/")
        get(f"step {key}", url)
        answered = client.post(url, valid_step_post(steps[key]))
        assert answered.status_code == 302, answered.content.decode()[:2000]
        url = answered["Location"]
    draft_uuid = url.split("/antrag/")[1].split("/")[0]
    get("save for later", reverse("submissions:save_for_later", args=[draft_uuid]))
    get("summary", url)
    done = client.post(url)
    assert done.status_code == 302
    get("confirmation", done["Location"])
    confirmation = pages["confirmation"]
    reference = re.search(r'id="reference-number">([^<]+)<', confirmation).group(1).strip()
    code = re.search(r'id="access-code">([^<]+)<', confirmation).group(1).strip()
    get("status lookup", reverse("submissions:status"))
    looked_up = client.post(
        reverse("submissions:status"), {"reference_number": reference, "access_code": code}
    )
    pages["status"] = looked_up.content.decode()
    get("mein amtsweg", reverse("citizen:home"))
    get("mailbox", reverse("citizen:mailbox", args=[draft_uuid]))
    missing = client.get("/kommunen/keine-solche-kommune/")
    assert missing.status_code == 404
    pages["not found"] = missing.content.decode()
    return pages


def test_german_citizen_pages_show_no_english(
    transactional_db,
    saml_settings,  # noqa: F811
    untranslated,
    messages,
):
    """The journey in German: portal, municipality, service, each step (and one with errors),
    save for later, summary, confirmation, status, Mein Amtsweg with its mailbox, the legal
    pages and the error page."""
    from django.test import Client

    from amtsweg.catalog.models import Offering
    from tests.saml_flow import log_in

    call_command("demo", stdout=io.StringIO())
    client = Client()  # no language cookie: German, the default
    log_in(client, "erika", "low")
    untranslated.clear()  # only what the pages show counts, not the demo data's set-up

    def steps_of_service(slug: str) -> dict:
        definition = Offering.objects.get(
            municipality__slug="darmstadt", slug=slug
        ).solution_version.form_definition
        return {step["key"]: step for step in definition["steps"]}

    pages = _citizen_pages(client, steps_of_service)
    assert all('<html lang="de">' in html for html in pages.values())
    assert not untranslated, "gettext found no German for:\n" + "\n".join(sorted(untranslated))
    phrases = _english_phrases(messages)
    leftovers = {
        name: sorted(phrase for phrase in phrases if phrase in _visible_text(html))
        for name, html in pages.items()
    }
    leftovers = {name: found for name, found in leftovers.items() if found}
    assert not leftovers, f"English text on German pages: {leftovers}"
