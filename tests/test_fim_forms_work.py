"""Every FIM schema the importer accepts becomes a form that renders and accepts a valid data set
— not just a definition that passes the structural check."""

import json
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from amtsweg.forms.fim import import_schema
from amtsweg.forms.services import bind_step, validate_step, validate_submission, visible_steps
from tests.form_filling import valid_step_post

DATA = Path(__file__).parent / "data" / "fim"
SCHEMAS = sorted(
    str(path.relative_to(DATA))
    for path in [*DATA.glob("v2/*.xml"), *DATA.glob("v3/*/schema.xdf.xml")]
)


#: What the upload step stores for a received file (the view puts it into the step's answers;
#: that the file belongs to the draft is checked at submit, in the upload tests).
STORED_PDF = json.dumps(
    {
        "id": "0b7c5e38-1c4e-4f57-9a55-52f1a4a5e0c1",
        "name": "nachweis.pdf",
        "size": 1024,
        "type": "application/pdf",
        "sha256": "0" * 64,
    }
)


def with_uploads(items: list[dict], post: dict, prefix: str = "") -> dict:
    """``post`` plus a stored PDF for every file field (also inside groups' first entries)."""
    for item in items:
        name = f"{prefix}{item['key']}"
        if item["type"] == "file":
            post[name] = [STORED_PDF]
        elif item["type"] == "group":
            inner = f"{name}.0." if item.get("repeatable") else f"{name}."
            with_uploads(item.get("fields", []), post, inner)
    return post


@pytest.mark.parametrize("name", SCHEMAS)
def test_imported_form_renders_every_step(name):
    definition = import_schema(DATA / name, name).definition
    for step in definition["steps"]:
        for bound in bind_step(step, {}):
            html = render_to_string(bound.template, {"field": bound})
            assert bound.html_id in html


@pytest.mark.parametrize("name", SCHEMAS)
def test_imported_form_accepts_a_valid_data_set(name):
    definition = import_schema(DATA / name, name).definition
    data: dict = {}
    for step in visible_steps(definition, data):
        post = with_uploads(step["fields"], valid_step_post(step))
        result = validate_step(step, post, data)
        assert result.is_valid, {bound.name: bound.error for bound in result.errors}
        data.update(result.values)
    assert validate_submission(definition, data) == {}
