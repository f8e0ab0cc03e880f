"""The forms engine's public door: check a definition, validate answers, describe them.

The definition format is described in ``amtsweg.forms.definition`` and docs/forms.md.
"""

from amtsweg.forms import computed, field_types  # noqa: F401  (register the built-in types)
from amtsweg.forms.bound import BoundField, BoundGroup, BoundItem
from amtsweg.forms.definition import (
    APPLICANT_ATTRIBUTES,
    PREFILL_SOURCES,
    SCHEMA_VERSION,
    DefinitionError,
    check_definition,
    step_index,
    steps_of,
)
from amtsweg.forms.export import data_schema
from amtsweg.forms.prefill import lock_answers, mark_locked, with_prefill
from amtsweg.forms.scenarios import ScenarioResult, run_scenarios
from amtsweg.forms.validation import (
    ITEMS_SUFFIX,
    StepResult,
    applicant_attributes,
    bind_step,
    change_entries,
    clean_submission,
    item_count,
    summarize,
    validate_step,
    validate_submission,
    visible_steps,
)

__all__ = [
    "APPLICANT_ATTRIBUTES",
    "ITEMS_SUFFIX",
    "PREFILL_SOURCES",
    "SCHEMA_VERSION",
    "BoundField",
    "BoundGroup",
    "BoundItem",
    "DefinitionError",
    "ScenarioResult",
    "StepResult",
    "applicant_attributes",
    "bind_step",
    "change_entries",
    "check_definition",
    "clean_submission",
    "data_schema",
    "item_count",
    "lock_answers",
    "mark_locked",
    "run_scenarios",
    "step_index",
    "steps_of",
    "summarize",
    "validate_step",
    "validate_submission",
    "visible_steps",
    "with_prefill",
]
