"""The forms engine's public door: check a definition, validate answers, describe them.

The definition format is described in ``amtsweg.forms.definition`` and docs/forms.md.
"""

from amtsweg.forms import computed, field_types  # noqa: F401  (register the built-in types)
from amtsweg.forms.bound import BoundField, BoundGroup, BoundItem
from amtsweg.forms.definition import (
    APPLICANT_ATTRIBUTES,
    OPTIONS,
    PREFILL_SOURCES,
    SCHEMA_VERSION,
    DefinitionError,
    check_definition,
    option_references,
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
    default_options,
    hidden_by_options,
    item_count,
    summarize,
    validate_step,
    validate_submission,
    visible_steps,
    with_options,
)

__all__ = [
    "APPLICANT_ATTRIBUTES",
    "ITEMS_SUFFIX",
    "OPTIONS",
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
    "default_options",
    "hidden_by_options",
    "item_count",
    "lock_answers",
    "mark_locked",
    "option_references",
    "run_scenarios",
    "step_index",
    "steps_of",
    "summarize",
    "validate_step",
    "validate_submission",
    "visible_steps",
    "with_options",
    "with_prefill",
]
