"""``{% case_documents case %}``: the "Documents" section of the case view.

A template tag rather than a context variable so that the case view (cases.views) needs no
change to show documents; the case it gets has already been scoped by that view.
"""

from typing import Any

from django import template

from amtsweg.cases.models import Case
from amtsweg.documents.services import documents_of_case

register = template.Library()


@register.inclusion_tag("documents/_case_documents.html")
def case_documents(case: Case) -> dict[str, Any]:
    return {"case": case, "documents": list(documents_of_case(case))}
