"""Planning-status profiles and self-assessments for the API, read through the planning services
(the comparison page's data). Every member sees each municipality's planning status, as on the
comparison page; a municipality's self-assessment only its own people, coordinators and observers
(``can_see_assessment``), as on the municipality's page. A fixed number of queries."""
from __future__ import annotations

from sqlalchemy import select

from network.api.framework import PageQuery
from network.api.schemas.planning import (
    AdviceSummaryOut, AssessmentOut, MunicipalityPlanningOut, PlanningOut, StepCountsOut, StepOut,
)
from network.extensions import db
from network.networks.loading import require
from network.networks.models import Network
from network.networks.services import norwegian_key
from network.planning import access, services
from network.planning.models import AdviceAssessment, PlanningStep, StrategicAdvice


def _comments(membership_ids: list[int]) -> dict[tuple[int, StrategicAdvice], str]:
    """The comments that go with the scores the viewer may see, in one query (the comparison reads scores only)."""
    if not membership_ids:
        return {}
    return {(membership_id, advice): comment or "" for membership_id, advice, comment in db.session.execute(
        select(AdviceAssessment.membership_id, AdviceAssessment.advice, AdviceAssessment.comment)
        .where(AdviceAssessment.membership_id.in_(membership_ids)))}


def planning(person, network: Network, query: PageQuery, municipality: int | None = None) -> PlanningOut:
    """The network's summaries over every member; the municipalities one page at a time."""
    require(access.can_view_comparison(person, network))
    result = services.comparison(network)
    rows = sorted(result.rows, key=lambda row: (norwegian_key(row.name), row.membership.organisation_id))
    if municipality is not None:
        rows = [row for row in rows if row.membership.organisation_id == municipality]
    total = len(rows)
    rows = rows[query.offset:query.offset + query.size]
    readable = {row.membership.id for row in rows if access.can_see_assessment(person, row.membership)}
    comments = _comments(sorted(readable))
    municipalities = []
    for row in rows:
        organisation = row.membership.organisation
        steps = []
        for step in PlanningStep:
            status = row.statuses.get(step)
            steps.append(StepOut(step=step, number=step.number, status=status.status if status else None,
                                 year=status.year if status else None,
                                 document_url=status.document_url if status else None))
        assessments = None
        if row.membership.id in readable:
            assessments = [AssessmentOut(advice=advice, number=advice.number, score=row.scores.get(advice),
                                         comment=comments.get((row.membership.id, advice), ""))
                           for advice in StrategicAdvice]
        municipalities.append(MunicipalityPlanningOut(
            organisation_id=organisation.id, name=organisation.name, kommunenummer=organisation.kommunenummer,
            county=organisation.county.name if organisation.county else None, adopted_count=row.adopted_count,
            steps=steps, assessments=assessments))
    return PlanningOut(
        network_id=network.id,
        municipalities=municipalities,
        steps=[StepCountsOut(step=c.step, number=c.step.number, adopted=c.adopted, in_progress=c.in_progress,
                             not_started=c.not_started, not_recorded=c.not_recorded) for c in result.step_counts],
        advice=[AdviceSummaryOut(advice=s.advice, number=s.advice.number, answered=s.answered,
                                 average=None if s.average is None else f"{s.average:.1f}",
                                 distribution={str(score): count for score, count in s.distribution.items()})
                for s in result.advice],
        page=query.page, size=query.size, total=total,
    )
