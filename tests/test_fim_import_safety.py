"""FIM import of untrusted files: no entity expansion, no external entities, bounded sizes.

Every hostile input here is refused with a FimImportError that says why; none may hang, read
other files, or unpack without bound.
"""

import io
import struct
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from amtsweg.forms.fim import FimImportError, import_schema
from amtsweg.forms.fim.parse import (
    MAX_INPUT_BYTES,
    MAX_XML_DEPTH,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL_BYTES,
)
from tests.test_fim_import import DATA, v2_field, v2_schema

MB = 1024 * 1024
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(source: bytes | Path, name: str = "upload.xml") -> str:
    with pytest.raises(FimImportError) as raised:
        import_schema(source, name)
    message = str(raised.value)
    assert message.startswith(name), message
    return message


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SCHEMA = v2_schema(("1:1", v2_field("F1", "Name")))


# -- XML ------------------------------------------------------------------------------------


def test_billion_laughs_is_refused_at_the_doctype():
    message = refusal(BILLION_LAUGHS)
    assert "line 2" in message
    assert "document type declaration (<!DOCTYPE>)" in message


def test_an_external_entity_is_refused_before_anything_is_read():
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    message = refusal(xxe)
    assert "<!DOCTYPE>" in message
    assert "root:" not in message


def test_a_doctype_is_refused_in_any_encoding_and_without_internal_subset():
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
    assert "<!DOCTYPE>" in refusal(utf16.encode("utf-16"))
    assert "<!DOCTYPE>" in refusal(b'<!DOCTYPE html SYSTEM "about:legacy-compat"><html/>')


def test_a_doctype_hidden_in_a_schema_is_refused():
    hostile = SCHEMA.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "E">]>',
    )
    assert "<!DOCTYPE>" in refusal(hostile)


def test_an_entity_in_a_zip_member_is_refused_and_the_member_named():
    message = refusal(zipped({"schema.xml": SCHEMA, "liste.xml": BILLION_LAUGHS}), "paket.zip")
    assert message.startswith("paket.zip:liste.xml, line 2:")


def test_nesting_beyond_the_limit_is_refused():
    deep = b"<a>" * (MAX_XML_DEPTH + 1) + b"</a>" * (MAX_XML_DEPTH + 1)
    assert f"nested more than {MAX_XML_DEPTH} levels" in refusal(deep)


def test_broken_xml_is_refused_with_its_line():
    message = refusal(b"<a>\n<b></a>")
    assert "line 2" in message
    assert "not well-formed" in message


def test_neither_xml_nor_zip_is_refused():
    assert "neither an XML file nor a ZIP archive" in refusal(b"%PDF-1.7\n...")
    assert "neither an XML file nor a ZIP archive" in refusal(b"")


# -- sizes ----------------------------------------------------------------------------------


def test_an_oversized_input_is_refused_before_parsing():
    message = refusal(b"<" + b" " * MAX_INPUT_BYTES)
    assert "at most 20 MB are accepted" in message


def test_an_oversized_file_is_refused_without_being_read(tmp_path: Path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as stream:
        stream.truncate(MAX_INPUT_BYTES + 1)  # sparse: no 20 MB written
    assert "at most 20 MB are accepted" in refusal(path, "huge.xml")


def test_a_zip_with_too_many_members_is_refused():
    members = {f"liste{number}.xml": b"<a/>" for number in range(MAX_ZIP_MEMBERS + 1)}
    message = refusal(zipped(members), "viele.zip")
    assert f"holds {MAX_ZIP_MEMBERS + 1} files; at most {MAX_ZIP_MEMBERS}" in message


def test_a_zip_that_unpacks_too_large_is_refused():
    member = b"<a>" + b" " * (15 * MB) + b"</a>"  # each below the member limit
    count = MAX_ZIP_TOTAL_BYTES // len(member) + 1
    archive = zipped({f"teil{number}.xml": member for number in range(count)})
    assert len(archive) < MB  # a small archive …
    message = refusal(archive, "bombe.zip")  # … that would unpack to more than the limit
    assert f"unpacks to more than {MAX_ZIP_TOTAL_BYTES // MB} MB" in message


def test_a_zip_member_above_the_input_limit_is_refused():
    archive = zipped({"schema.xml": b"<a>" + b" " * MAX_INPUT_BYTES + b"</a>"})
    assert "at most 20 MB are accepted" in refusal(archive, "gross.zip")


def test_a_zip_that_lies_about_its_sizes_is_refused():
    """Declared sizes are small, the data is large: reading stays bounded and fails."""
    archive = bytearray(zipped({"schema.xml": b"<a>" + b" " * (30 * MB) + b"</a>"}))
    local = archive.find(b"PK\x03\x04")
    central = archive.find(b"PK\x01\x02")
    struct.pack_into("<I", archive, local + 22, 1000)
    struct.pack_into("<I", archive, central + 24, 1000)
    message = refusal(bytes(archive), "luege.zip")
    assert "cannot be unpacked" in message or "not well-formed" in message


def test_a_damaged_zip_is_refused():
    archive = zipped({"schema.xml": SCHEMA})
    assert "not a readable ZIP archive" in refusal(archive[:30], "kaputt.zip")


# -- archives with odd content --------------------------------------------------------------


def test_a_zip_without_a_schema_is_refused():
    archive = zipped(
        {"C1_genericode.xml": (DATA / "v2/codelisten/C05000103_genericode.xml").read_bytes()}
    )
    assert "No XDatenfelder schema" in refusal(archive, "listen.zip")


def test_a_zip_with_two_schemas_is_refused_naming_both():
    archive = zipped({"a.xml": SCHEMA, "b.xml": SCHEMA})
    message = refusal(archive, "zwei.zip")
    assert "zwei.zip:a.xml, zwei.zip:b.xml" in message


def test_nested_archives_and_other_files_in_a_zip_are_skipped_with_a_note():
    archive = zipped(
        {"schema.xml": SCHEMA, "innen.zip": zipped({"x.xml": b"<a/>"}), "bild.png": b"\x89PNG"}
    )
    result = import_schema(archive, "paket.zip")
    skipped = {note.element: note.message for note in result.report}
    assert skipped["paket.zip:innen.zip"] == "Archives inside the archive are not opened."
    assert skipped["paket.zip:bild.png"] == "Not an XML file; skipped."
    assert result.definition["steps"][0]["fields"][0]["key"] == "name"
