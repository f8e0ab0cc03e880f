"""The bare-insert baseline of the submission benchmark (bench/, docs/benchmarks.md).

``POST /_bench/insert/<offering uuid>`` stores the JSON body as a draft submission of that
offering: no validation, no case, no audit event, no task. It is served by the same server,
workers, middleware and database as the real submit, so the ratio of the two rates shows what
the platform's own work costs. The URL exists only when ``AMTSWEG_BENCH_BASELINE`` is on (the
benchmark runner sets it); never in production. Its rows expire as a started draft does
(``draft_expiry``). When they expired at once, a new worker's early daily clean-up deleted
tens of thousands of them during a measured level (docs/benchmarks.md). The benchmark drops
its installation afterwards anyway.
"""

import json
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amtsweg.catalog.models import Offering
from amtsweg.lib.env import env_bool
from amtsweg.submissions.models import Submission, draft_expiry

#: offering UUID → (offering id, solution version id), looked up once per worker process.
_OFFERINGS: dict[UUID, tuple[int, int]] = {}


@csrf_exempt
@require_POST
def insert(request: HttpRequest, offering_uuid: UUID) -> HttpResponse:
    if offering_uuid not in _OFFERINGS:
        offering = Offering.objects.only("id", "solution_version_id").get(uuid=offering_uuid)
        _OFFERINGS[offering_uuid] = (offering.pk, offering.solution_version_id)
    offering_id, version_id = _OFFERINGS[offering_uuid]
    submission = Submission.objects.create(
        offering_id=offering_id,
        solution_version_id=version_id,
        data=json.loads(request.body)["data"],
        expires_at=draft_expiry(),
    )
    return JsonResponse({"uuid": str(submission.uuid)}, status=201)


urlpatterns: list[URLPattern] = (
    [path("insert/<uuid:offering_uuid>", insert, name="bench_insert")]
    if env_bool("AMTSWEG_BENCH_BASELINE", False)
    else []
)
