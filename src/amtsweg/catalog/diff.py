"""What changed between two versions of a solution, in words an adopter can judge.

An adopter decides whether to switch to a new version by reading this diff, so it names fields
by their labels (not only their keys), says which of their properties changed, and covers
what else changes for the municipality: workflow statuses and transitions, fees, trust level,
deadlines, retention and the configurable options.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from amtsweg.cases.workflow import workflow_of
from amtsweg.catalog.models import SolutionVersion, TrustLevel
from amtsweg.forms.definition import walk
from amtsweg.forms.text import localized

#: Properties of a field that are compared one by one; labels and help texts in any language.
FIELD_PROPERTIES = (
    "type",
    "label",
    "help",
    "required",
    "options",
    "min",
    "max",
    "visible_if",
    "required_if",
    "applicant",
    "prefill",
    "text",
)


@dataclass(frozen=True)
class FieldChange:
    """One field added, removed or changed; ``path`` is its key path (``"dogs.name"``)."""

    kind: str  # "added", "removed" or "changed"
    step: str
    path: str
    label: str
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class SettingChange:
    """One setting of the version with its old and new value, as shown to people."""

    name: str
    old: str
    new: str


@dataclass
class VersionDiff:
    """The difference between ``old`` (None for a first version) and ``new``."""

    old_number: int | None
    new_number: int
    steps_added: list[str] = field(default_factory=list)
    steps_removed: list[str] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    statuses_added: list[str] = field(default_factory=list)
    statuses_removed: list[str] = field(default_factory=list)
    transitions_added: list[str] = field(default_factory=list)
    transitions_removed: list[str] = field(default_factory=list)
    settings: list[SettingChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.steps_added
            or self.steps_removed
            or self.fields
            or self.statuses_added
            or self.statuses_removed
            or self.transitions_added
            or self.transitions_removed
            or self.settings
        )

    def fields_of_kind(self, kind: str) -> list[FieldChange]:
        return [change for change in self.fields if change.kind == kind]

    @property
    def added(self) -> list[FieldChange]:
        return self.fields_of_kind("added")

    @property
    def removed(self) -> list[FieldChange]:
        return self.fields_of_kind("removed")

    @property
    def changed(self) -> list[FieldChange]:
        return self.fields_of_kind("changed")


def _fields(definition: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every field of the form by its step-qualified path → (step title, field)."""
    found = {}
    for step in definition.get("steps", []):
        title = localized(step.get("title")) or step["key"]
        for path, item in walk(step.get("fields", [])):
            found[f"{step['key']}.{path}"] = (title, item)
    return found


def _label(item: dict[str, Any], path: str) -> str:
    return localized(item.get("label")) or localized(item.get("text"))[:60] or path


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    before, after = _fields(old), _fields(new)
    changes = [
        FieldChange("added", step, path, _label(item, path))
        for path, (step, item) in after.items()
        if path not in before
    ]
    changes += [
        FieldChange("removed", step, path, _label(item, path))
        for path, (step, item) in before.items()
        if path not in after
    ]
    for path, (step, item) in after.items():
        if path not in before:
            continue
        previous = before[path][1]
        properties = tuple(
            name for name in FIELD_PROPERTIES if previous.get(name) != item.get(name)
        )
        if properties:
            changes.append(FieldChange("changed", step, path, _label(item, path), properties))
    return changes


def _money(value: Decimal | None) -> str:
    return _("set locally") if value is None else f"{value:.2f} €"


def _fee_text(version: SolutionVersion) -> str:
    if version.fee is None:
        return _("set locally")
    if version.fee_min is None:
        return _("%(fee)s (fixed)") % {"fee": _money(version.fee)}
    return _("%(fee)s (adopters may charge %(low)s to %(high)s)") % {
        "fee": _money(version.fee),
        "low": _money(version.fee_min),
        "high": _money(version.fee_max),
    }


def _options_text(version: SolutionVersion) -> str:
    return ", ".join(localized(option["label"]) for option in version.options or []) or "–"


def _settings(old: SolutionVersion, new: SolutionVersion) -> list[SettingChange]:
    shown = [
        (_("Fee"), _fee_text),
        (_("Required trust level"), lambda v: str(TrustLevel(v.trust_level).label)),
        (_("Processing deadline (days)"), lambda v: str(v.processing_days)),
        (_("Retention of personal data (days)"), lambda v: str(v.retention_days)),
        (_("Configurable options"), _options_text),
        (_("Licence"), lambda v: v.licence),
    ]
    return [
        SettingChange(str(name), show(old), show(new))
        for name, show in shown
        if show(old) != show(new)
    ]


def _workflow_parts(version: SolutionVersion) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    workflow = workflow_of(version.workflow)
    labels = {key: workflow.label(key) for key in workflow.statuses}
    arrows = {pair: f"{labels[pair[0]]} → {labels[pair[1]]}" for pair in workflow.transitions}
    return labels, arrows


def diff_versions(old: SolutionVersion | None, new: SolutionVersion) -> VersionDiff:
    """What ``new`` changes against ``old``; against nothing, everything in ``new`` is added."""
    diff = VersionDiff(old_number=old.number if old else None, new_number=new.number)
    old_definition = old.form_definition if old else {"steps": []}
    old_steps = {step["key"]: step for step in old_definition.get("steps", [])}
    new_steps = {step["key"]: step for step in new.form_definition.get("steps", [])}
    diff.steps_added = [
        localized(step.get("title")) or key
        for key, step in new_steps.items()
        if key not in old_steps
    ]
    diff.steps_removed = [
        localized(step.get("title")) or key
        for key, step in old_steps.items()
        if key not in new_steps
    ]
    diff.fields = _field_changes(old_definition, new.form_definition)
    if old is None:
        return diff
    old_statuses, old_arrows = _workflow_parts(old)
    new_statuses, new_arrows = _workflow_parts(new)
    diff.statuses_added = [label for key, label in new_statuses.items() if key not in old_statuses]
    diff.statuses_removed = [
        label for key, label in old_statuses.items() if key not in new_statuses
    ]
    diff.transitions_added = [text for pair, text in new_arrows.items() if pair not in old_arrows]
    diff.transitions_removed = [
        text for pair, text in old_arrows.items() if pair not in new_arrows
    ]
    diff.settings = _settings(old, new)
    return diff


def previous_published(version: SolutionVersion) -> SolutionVersion | None:
    """The newest published version of the same solution before ``version``."""
    return (
        SolutionVersion.objects.filter(
            solution_id=version.solution_id, number__lt=version.number, status="published"
        )
        .order_by("-number")
        .first()
    )
