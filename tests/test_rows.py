"""The submit's rows written with statements built once per process (``amtsweg.lib.rows``),
and the journey's lookups read with them (the draft, the municipality, the offering: issue
9): they must store and read exactly what ``save()`` and the ORM's lookups would."""

import copy
import datetime as dt
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.db.models import Model
from django.db.models.base import ModelBase
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, post_save, pre_init, pre_save
from django.db.models.sql.compiler import SQLInsertCompiler
from django.http import Http404
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone
from django.utils.translation import gettext_lazy

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case, Decision, StatusEntry
from amtsweg.catalog.models import Offering, Service, Solution, VersionStatus
from amtsweg.catalog.services import (
    get_live_offering,
    get_live_offering_for_submit,
    get_municipality,
    published_version,
)
from amtsweg.core.sessions import SessionStore
from amtsweg.documents.models import Document
from amtsweg.identity.bundid.models import Citizen
from amtsweg.lib import rows
from amtsweg.lib.rows import (
    copied,
    delete_referring,
    insert_row,
    joined_row,
    loader,
    locked_values,
    rows_referring,
    update_row,
)
from amtsweg.submissions.fields import EncryptedJSONField
from amtsweg.submissions.models import Attachment, ResumeLink, Submission
from amtsweg.submissions.services import start_draft, submit_data
from amtsweg.tenants.models import Municipality
from tests.factories import make_complete_draft
from tests.orm_compiling import forbid_orm_compiling

pytestmark = pytest.mark.django_db

#: Every model written with ``insert_row`` or ``update_row`` (the submit's, and the session's
#: in ``amtsweg.core.sessions``).
WRITTEN_WITHOUT_SAVE = (Submission, Case, StatusEntry, Document, AuditEvent, Session)

#: Columns that differ between two rows made from the same values.
OWN_COLUMNS = {"id", "uuid", "created_at", "updated_at"}


def _stored(model: type[Model], pk: int) -> dict[str, object]:
    """The row as the ORM reads it back, without the columns every row has of its own."""
    row = model.objects.filter(pk=pk).values().get()
    return {column: value for column, value in row.items() if column not in OWN_COLUMNS}


@pytest.mark.parametrize("model", WRITTEN_WITHOUT_SAVE, ids=lambda model: model.__name__)
def test_models_written_without_save_have_no_save_hooks(model):
    """``insert_row`` and ``update_row`` send no signals and skip ``save()``: a receiver or an
    overridden ``save()`` added to one of these models later would silently not run."""
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)
    # AuditEvent.save only refuses to change a stored event, which insert_row never does.
    assert model.save is Model.save or model is AuditEvent


def test_delete_referring_deletes_what_filter_deletes(offering, monkeypatch):
    draft, other = make_complete_draft(offering), make_complete_draft(offering)
    for submission in (draft, draft, other):
        ResumeLink.objects.create(submission=submission, email="erika@example.de")
    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        deleted = delete_referring(ResumeLink, "submission", draft)
        again = delete_referring(ResumeLink, "submission", draft)
    monkeypatch.undo()
    assert (deleted, again, len(queries)) == (2, 0, 2)
    assert list(ResumeLink.objects.values_list("submission", flat=True)) == [other.pk]
    # Attachments' files are removed by a delete signal: the collector must delete them.
    with pytest.raises(ValueError, match="Attachment has delete signals"):
        delete_referring(Attachment, "submission", other)


def test_insert_row_stores_what_save_stores(offering):
    values = {
        "offering": offering,
        "solution_version": offering.solution_version,
        "data": {"name": "Zoë Müller 🐕", "hunde": [{"rasse": "Mops"}]},
        "completed_steps": ["a", "b"],
        "option_values": {"gebuehr": "hoch"},
        "expires_at": timezone.now() + dt.timedelta(days=3),
        "idempotency_key": None,
    }
    saved = Submission(**values)
    saved.save()
    inserted = Submission(**values)
    before = timezone.now()

    insert_row(inserted)

    assert inserted.pk and inserted.pk != saved.pk
    assert not inserted._state.adding
    assert _stored(Submission, inserted.pk) == _stored(Submission, saved.pk)
    stored = Submission.objects.get(pk=inserted.pk)
    assert stored.uuid == inserted.uuid
    assert before <= stored.created_at == inserted.created_at <= timezone.now()  # auto_now_add
    assert stored.data == values["data"]


def _with_nones(instance: Model) -> Model:
    """A copy of ``instance`` with None in every field that may hold it."""
    with_nones = copy.copy(instance)
    for field in instance._meta.concrete_fields:
        if field.null:
            setattr(with_nones, field.attname, None)
    return with_nones


@pytest.mark.parametrize("model", WRITTEN_WITHOUT_SAVE, ids=lambda model: model.__name__)
def test_values_taken_as_they_are_are_what_django_would_send(offering, model):
    """Every value of the submit's rows (and of a session) goes to the database as the
    field's own ``pre_save`` and ``get_db_prep_save`` would send it, also where the calls
    are skipped: text, flags, dates, keys, JSON, encrypted data, and None wherever allowed.
    Fields that set themselves (auto_now) are compared by their type: they read the clock."""
    session = SessionStore()
    session["drafts"] = ["Zoë 🐕"]
    session.save()
    submit_data(offering, make_complete_draft(offering).data, idempotency_key="key-1")
    original = model.objects.order_by("pk").last()
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    plan = rows._plan(fields)
    for instance in (original, _with_nones(original)):
        taken = rows._prepared(instance, plan, False, connection)
        sent = [
            field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
        ]
        for field, value, expected in zip(fields, taken, sent, strict=True):
            if getattr(field, "auto_now", False):
                assert type(value) is type(expected), field.name
            elif isinstance(field, EncryptedJSONField):  # a fresh nonce each time
                assert field.from_db_value(value, None, connection) == getattr(
                    instance, field.attname
                )
            else:  # psycopg's JSON wrapper compares by identity: compare what it holds
                assert _sent(value) == _sent(expected), field.name
    assert any(attname for _, attname, _ in plan), "no value is taken as it is"


def _sent(value: object) -> tuple[type, object]:
    return type(value), getattr(value, "obj", value)


def test_insert_row_encrypts_like_save(offering):
    submission = Submission(
        offering=offering, solution_version=offering.solution_version, data={"name": "Erika"}
    )
    insert_row(submission)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM submissions_submission WHERE id = %s", [submission.pk])
        (raw,) = cursor.fetchone()
    assert "Erika" not in str(raw)
    assert Submission.objects.get(pk=submission.pk).data == {"name": "Erika"}


def test_update_row_stores_only_the_named_fields_and_the_time(offering):
    submission = make_complete_draft(offering)
    stored_before = Submission.objects.get(pk=submission.pk)
    submission.language = "en"
    submission.applicant_name = "not stored"
    update_row(submission, ["language", "updated_at"])
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.language == "en"
    assert stored.applicant_name == stored_before.applicant_name
    assert stored.updated_at > stored_before.updated_at  # auto_now, as in save(update_fields)


def test_locked_values_read_what_values_list_reads(offering, monkeypatch):
    submission = make_complete_draft(offering)
    names = ["status", "data", "completed_steps", "uuid", "created_at", "offering_id"]
    expected = Submission.objects.values_list(*names).get(pk=submission.pk)

    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        values = locked_values(Submission, submission.pk, names)
        missing = locked_values(Submission, submission.pk + 1000, names)
    assert values == expected  # decrypted, decoded, converted
    assert isinstance(values[3], uuid.UUID)
    assert missing is None
    locks = connection.features.has_select_for_update
    assert all(("FOR UPDATE" in query["sql"]) == locks for query in queries)


def _fields(instance: Model | None) -> dict[str, object] | None:
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.parametrize(
    ("with_citizen", "related"),
    [
        (False, ["offering__municipality"]),  # as the lookup of an anonymous visitor's draft
        (False, ["offering__municipality", "citizen"]),  # an outer join that finds no row
        (True, ["offering__municipality", "citizen"]),  # as the lookup of a citizen's draft
    ],
    ids=["anonymous", "no-citizen-joined", "citizen"],
)
def test_joined_row_reads_what_select_related_reads(offering, monkeypatch, with_citizen, related):
    """The journey's draft lookup: the same model objects as ``select_related().get()``, the
    related ones cached (no further statement), a missing outer-joined row as None."""
    submission = make_complete_draft(offering)
    if with_citizen:
        submission.citizen = Citizen.objects.create(
            pseudonym="bPK2-Zoë-🐕", last_login=timezone.now()
        )
        submission.save(update_fields=["citizen"])
    expected = Submission.objects.select_related(*related).get(uuid=submission.uuid)

    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        found = joined_row(Submission, {"uuid": submission.uuid}, related)
        by_text = joined_row(Submission, {"uuid": str(submission.uuid)}, related)
        missing = joined_row(Submission, {"uuid": uuid.uuid4()}, related)
        offering_read, municipality_read = found.offering, found.offering.municipality
        citizen_read = found.citizen if "citizen" in related else None
    assert len(queries) == 3  # the related rows came with the first
    assert missing is None
    assert _fields(found) == _fields(expected) == _fields(by_text)
    assert found.data == submission.data  # decrypted and decoded
    assert not found._state.adding
    assert _fields(offering_read) == _fields(expected.offering)
    assert _fields(municipality_read) == _fields(expected.offering.municipality)
    assert _fields(citizen_read) == _fields(expected.citizen if "citizen" in related else None)
    assert (citizen_read is None) is not with_citizen


def test_api_submit_builds_no_insert_with_the_orm(offering, monkeypatch):
    """No row of the submit is built by Django's compiler, the task queue's job included
    (``amtsweg.lib.tasks``): each compiled INSERT cost 0.1-1 ms of CPU."""
    compiled = []
    as_sql = SQLInsertCompiler.as_sql

    def counting(compiler, *args, **kwargs):
        compiled.append(compiler.query.model._meta.label)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", counting)
    data = make_complete_draft(offering).data
    submit_data(offering, data)  # the year's counter row and the chain head now exist
    compiled.clear()

    receipt = submit_data(get_live_offering_for_submit(offering.uuid), data)

    assert receipt.created
    assert compiled == []


def test_a_draft_is_started_without_the_orm(offering, monkeypatch):
    """Every journey starts a draft; its INSERT is one of the statements built once per
    process."""
    expected = Submission.objects.create(
        offering=offering, solution_version=offering.solution_version
    )
    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        draft = start_draft(offering)
    assert len(queries) == 1
    monkeypatch.undo()
    stored = Submission.objects.get(pk=draft.pk)
    assert not draft._state.adding and draft.uuid == stored.uuid != expected.uuid
    started, created = _stored(Submission, draft.pk), _stored(Submission, expected.pk)
    assert started.pop("expires_at") > stored.created_at
    assert created.pop("expires_at") is None  # create() without it leaves it empty
    assert started == created  # every other column as create() makes it
    assert stored.updated_at == draft.updated_at >= stored.created_at


def test_submit_lookup_reads_the_offering_in_one_statement(offering, monkeypatch):
    offering.option_values = {"gebuehr": "hoch"}
    offering.save()
    published_version(offering.solution_version_id)  # as a worker that has served it once
    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        found = get_live_offering_for_submit(offering.uuid)
        municipality = found.processing_municipality
        facts = (found.pk, found.uuid, found.municipality_id, found.option_values, found.title)
        processing = (municipality.pk, municipality.ags, municipality.reference_prefix)
        version = found.solution_version
    assert len(queries) == 1
    assert facts == (
        offering.pk,
        offering.uuid,
        offering.municipality_id,
        {"gebuehr": "hoch"},
        offering.title,
    )
    darmstadt = offering.processing_municipality
    assert processing == (darmstadt.pk, darmstadt.ags, darmstadt.reference_prefix)
    assert version.pk == offering.solution_version_id


def test_offering_page_lookups_read_one_row_each_with_no_orm_compiling(offering, monkeypatch):
    """The municipality, the offering and its solution with its service: the offering page's
    three statements, each built once per process."""
    published_version(offering.solution_version_id)
    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        municipality = get_municipality("darmstadt")
        found = get_live_offering(municipality, offering.slug, with_service=True)
        service = found.solution_version.solution.service
        processing = found.processing_municipality
    assert len(queries) == 3
    assert (found.pk, found.title, found.fee) == (offering.pk, offering.title, offering.fee)
    assert municipality == offering.municipality == processing
    assert service == offering.solution_version.solution.service
    assert service.name == offering.solution_version.solution.service.name


def test_another_municipalitys_offering_is_not_found_by_its_slug(offering, modautal):
    """The offering lookup is by municipality and slug together, as the ORM's was."""
    assert get_live_offering(offering.municipality, offering.slug).pk == offering.pk
    with pytest.raises(Http404):
        get_live_offering(modautal, offering.slug)


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (Offering, {"slug": "hund-anmelden"}),
        (Offering, {"is_active": True}),
        (Offering, {"slug": "x", "title": "y"}),
        (Decision, {"case_id": 1}),
        (Offering, {}),
    ],
    ids=["part of a constraint", "not unique", "unique neither", "conditional constraint", "none"],
)
def test_joined_row_refuses_a_lookup_that_may_match_several_rows(model, lookup):
    with pytest.raises(ValueError, match=f"do not single out one row of {model.__name__}"):
        joined_row(model, lookup)


def test_joined_row_takes_a_unique_field_with_others(offering):
    found = joined_row(Offering, {"uuid": offering.uuid, "title": offering.title})
    assert found.pk == offering.pk
    assert joined_row(Offering, {"uuid": offering.uuid, "title": "Anders"}) is None


@pytest.mark.parametrize("slug", ["gibt-es-nicht", "darmstadt🐕", "DARMSTADT"])
def test_no_municipality_for_another_slug(darmstadt, slug):
    with pytest.raises(Http404):
        get_municipality(slug)


def _deactivate(offering: Offering) -> None:
    offering.is_active = False


def _go_live_tomorrow(offering: Offering) -> None:
    # Worked out when the test runs, not when it is collected: a suite that crosses midnight
    # (in Berlin) would otherwise ask for today.
    offering.go_live = timezone.localdate() + dt.timedelta(days=1)


@pytest.mark.parametrize(
    "change", [_deactivate, _go_live_tomorrow], ids=["inactive", "not yet live"]
)
def test_submit_lookup_finds_only_live_offerings(offering, change):
    change(offering)
    offering.save()
    assert get_live_offering_for_submit(offering.uuid) is None
    with pytest.raises(Http404):
        get_live_offering(offering.municipality, offering.slug)


def test_submit_lookup_finds_an_offering_live_from_today(offering):
    offering.go_live = timezone.localdate()
    offering.save()
    assert get_live_offering_for_submit(offering.uuid).pk == offering.pk
    assert get_live_offering_for_submit(uuid.uuid4()) is None


def test_submit_lookup_refuses_an_offering_whose_version_is_not_published(offering):
    version = offering.solution_version
    type(version).objects.filter(pk=version.pk).update(status=VersionStatus.REVIEW)
    assert get_live_offering_for_submit(offering.uuid) is None
    with pytest.raises(Http404):
        get_live_offering(offering.municipality, offering.slug)


def test_rows_referring_reads_what_filter_reads(offering, monkeypatch):
    """The submit's look-up of a draft's attachments: the same model objects as
    ``filter()``, none of another draft's."""
    draft, other, empty = (make_complete_draft(offering) for _ in range(3))
    for submission, name in ((draft, "a.pdf"), (draft, "b.pdf"), (other, "c.pdf")):
        Attachment.objects.create(
            submission=submission,
            field_path="nachweis",
            original_name=name,
            content_type="application/pdf",
            size=3,
            sha256="0" * 64,
            file=f"anlagen/{name}",
        )
    expected = list(Attachment.objects.filter(submission=draft))

    forbid_orm_compiling(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        found = rows_referring(Attachment, "submission", draft)
        none = rows_referring(Attachment, "submission", empty)
    assert len(queries) == 2
    assert none == []
    assert sorted(map(_fields, found), key=str) == sorted(map(_fields, expected), key=str)
    assert all(isinstance(row.uuid, uuid.UUID) and not row._state.adding for row in found)
    assert {row.file.name for row in found} == {"anlagen/a.pdf", "anlagen/b.pdf"}


#: The models whose rows ``joined_row`` and ``rows_referring`` make on the journey's pages.
READ_ON_THE_JOURNEY = (Submission, Offering, Municipality, Citizen, Attachment, Solution, Service)


@pytest.mark.parametrize("model", READ_ON_THE_JOURNEY, ids=lambda model: model.__name__)
def test_rows_are_made_as_from_db_makes_them(offering, model):
    """``loader`` makes the object ``from_db`` makes: the same attributes, not new, from the
    database it was read from; and for these models without running ``Model.__init__``
    (which a receiver connected after the loader was made would see)."""
    if model is Citizen:
        Citizen.objects.create(pseudonym="bPK2-Zoë-🐕", last_login=timezone.now())
    if model is Submission:
        make_complete_draft(offering)
    if model is Attachment:
        Attachment.objects.create(
            submission=make_complete_draft(offering),
            field_path="nachweis",
            original_name="a.pdf",
            content_type="application/pdf",
            size=3,
            sha256="0" * 64,
            file="anlagen/a.pdf",
        )
    attnames = [field.attname for field in model._meta.concrete_fields]
    values = list(model.objects.values_list(*attnames)[:1].get())  # converted like from_db's
    load = loader(model)
    initialised = []

    def note(sender: type[Model], **kwargs: object) -> None:
        initialised.append(sender)

    pre_init.connect(note, sender=model)
    try:
        made = load("default", values)
    finally:
        pre_init.disconnect(note, sender=model)
    expected = model.from_db("default", None, values)
    assert initialised == []
    assert type(made) is model
    assert {k: v for k, v in vars(made).items() if k != "_state"} == {
        k: v for k, v in vars(expected).items() if k != "_state"
    }
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made._state is not expected._state and made._state.fields_cache == {}
    assert made == expected


@pytest.mark.parametrize("signal", [pre_init, post_init], ids=["pre_init", "post_init"])
def test_rows_of_a_model_with_an_init_receiver_go_through_from_db(offering, signal):
    """A model whose ``pre_init`` or ``post_init`` has a receiver when its loader is made gets
    ``from_db``, so that the receiver runs for every row read."""
    seen = []

    def note(sender: type[Model], **kwargs: object) -> None:
        seen.append(sender)

    signal.connect(note, sender=Offering)
    try:
        attnames = [field.attname for field in Offering._meta.concrete_fields]
        values = list(Offering.objects.values_list(*attnames).get(pk=offering.pk))
        made = loader(Offering)("default", values)
    finally:
        signal.disconnect(note, sender=Offering)
    assert seen == [Offering]
    assert made.pk == offering.pk and not made._state.adding


class _Announcing(DeferredAttribute):
    """A descriptor that does more than store the value."""

    def __set__(self, instance: Model, value: object) -> None:
        instance.__dict__[self.field.attname] = value
        instance.__dict__["announced"] = True


class _AnnouncedField(models.CharField):
    descriptor_class = _Announcing


class _Announcer:
    """A mixin whose ``__init__`` runs through ``Model.__init__``'s ``super().__init__()``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.announced = True


def _announcing_init(self: Model, *args: object, **kwargs: object) -> None:
    Model.__init__(self, *args, **kwargs)
    self.announced = True


def _announcing_setattr(self: Model, name: str, value: object) -> None:
    object.__setattr__(self, name, value)
    if name == "name":
        object.__setattr__(self, "announced", True)


def _announcing_new(cls: type[Model], *args: object, **kwargs: object) -> Model:
    made = object.__new__(cls)
    made.announced = True
    return made


@classmethod
def _announcing_from_db(cls: type[Model], db: str, field_names: object, values: list) -> Model:
    made = Model.from_db.__func__(cls, db, field_names, values)
    made.announced = True
    return made


class _AnnouncingBase(ModelBase):
    """A metaclass that makes the objects itself."""

    def __call__(cls, *args: object, **kwargs: object) -> Model:
        made = super().__call__(*args, **kwargs)
        made.announced = True
        return made


#: Model shapes that make or fill their objects themselves: what each adds to the model.
_DOING_MORE = {
    "own __init__": {"__init__": _announcing_init},
    "own __setattr__": {"__setattr__": _announcing_setattr},
    "own __new__": {"__new__": _announcing_new},
    "own from_db": {"from_db": _announcing_from_db},
    "mixin after Model": {},
    "own descriptor": {},
    "own metaclass": {},
}


@isolate_apps("amtsweg.submissions")
@pytest.mark.parametrize("shape", list(_DOING_MORE))
def test_rows_of_a_model_that_does_more_when_made_go_through_from_db(shape):
    """A model that makes or fills its objects itself (in its class, in a mixin placed after
    ``Model``, through a descriptor that does more than store, or in its metaclass) gets
    ``from_db``."""
    bases = (models.Model, _Announcer) if shape == "mixin after Model" else (models.Model,)
    own_descriptor = shape == "own descriptor"
    attributes = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"app_label": "submissions"}),
        "name": (_AnnouncedField if own_descriptor else models.CharField)(max_length=10),
        **_DOING_MORE[shape],
    }
    metaclass = _AnnouncingBase if shape == "own metaclass" else ModelBase
    made = loader(metaclass("Made", bases, attributes))("default", [1, "Zoë"])
    assert made.announced
    assert (made.pk, made.name, made._state.adding) == (1, "Zoë", False)


def test_values_of_other_types_go_through_the_fields_own_calls(offering):
    """Only a value of the types a field takes as it is skips the field's calls: a lazy
    text, a flag in a text field, an empty key and a key given as text are converted as
    Django converts them."""
    submission = make_complete_draft(offering)
    cases = {
        "applicant_name": gettext_lazy("Dog tax"),
        "language": True,
        "citizen_id": "",
        "processing_municipality_id": str(offering.municipality_id),
    }
    for name, value in cases.items():
        field = Submission._meta.get_field(name)
        setattr(submission, field.attname, value)
        (taken,) = rows._prepared(submission, rows._plan([field]), False, connection)
        expected = field.get_db_prep_save(field.pre_save(submission, False), connection)
        assert _sent(taken) == _sent(expected), name
        if name == "language":
            assert taken == "True"


def test_copied_is_what_copy_copy_makes(offering):
    """The same values and related objects as ``copy.copy``, in a state of its own: what a
    copy caches or changes stays out of the original."""
    draft = joined_row(Submission, {"uuid": make_complete_draft(offering).uuid}, ["offering"])
    draft._state.noted = "kept"  # any state a later Django may add
    made, expected = copied(draft), copy.copy(draft)
    assert type(made) is Submission and made is not draft
    pickling = {"_state", "_django_version"}  # copy.copy goes through pickling's state
    assert {k: v for k, v in vars(made).items() if k not in pickling} == {
        k: v for k, v in vars(expected).items() if k not in pickling
    }
    assert (made._state.adding, made._state.db, made._state.noted) == (False, "default", "kept")
    assert made._state.fields_cache == expected._state.fields_cache == {"offering": draft.offering}
    made.language = "en"
    assert made.solution_version.number  # read and cached on the copy only
    assert draft.language != "en"
    assert made._state is not draft._state
    assert "solution_version" not in draft._state.fields_cache
