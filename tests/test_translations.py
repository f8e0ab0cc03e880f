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

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

import amtsweg

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
            if re.search(r"(^|\s)['\"]\w", translated):
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
