"""``amtsweg import_fim FILE [--output OUT.json]``: report, definition JSON, exit status."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from amtsweg.forms.fim import import_schema
from tests.test_fim_import import DATA

SCHEMA = DATA / "v3/S00000000373/schema.xdf.xml"
BROKEN = DATA / "xdatenfelder-xml-tests/v3/unexpected-node.xml"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_writes_the_definition_and_prints_the_report(tmp_path: Path):
    out, err = StringIO(), StringIO()
    target = tmp_path / "form.json"
    call_command("import_fim", str(SCHEMA), output=str(target), stdout=out, stderr=err)
    assert json.loads(target.read_text(encoding="utf-8")) == import_schema(SCHEMA, "x").definition
    printed = out.getvalue()
    assert "Imported stammdatenschema.0102 S00000000373 version 1.0.0" in printed
    assert "4 notes:" in printed
    assert "- Datenfeldgruppe G00000002237 (1.0.0): Regel R00000002588" in printed
    assert f"Definition written to {target}." in printed


def test_without_output_the_json_goes_to_stdout_and_the_report_to_stderr():
    out, err = StringIO(), StringIO()
    call_command("import_fim", str(SCHEMA), stdout=out, stderr=err)
    definition = json.loads(out.getvalue())
    assert definition["fim"] == {"id": "S00000000373", "version": "1.0.0"}
    assert "4 notes:" in err.getvalue()


def test_a_refused_file_is_a_command_error_naming_the_problem(tmp_path: Path):
    target = tmp_path / "form.json"
    with pytest.raises(CommandError) as raised:
        call_command("import_fim", str(BROKEN), output=str(target), stdout=StringIO())
    assert "Unexpected element <xdf:unknown> in <identifikation>" in str(raised.value)
    assert not target.exists()


def test_a_missing_file_is_a_command_error(tmp_path: Path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_fim", str(tmp_path / "fehlt.xml"))


def test_the_installed_command_exits_non_zero_on_refusal():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amtsweg.settings"}
    finished = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, "-m", "amtsweg.cli", "import_fim", str(BROKEN)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1
    assert "G123" in finished.stderr
    assert "xdf:unknown" in finished.stderr
    assert finished.stdout == ""
