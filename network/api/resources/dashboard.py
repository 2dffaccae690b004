"""The coordinators' dashboard as figures, from the same services as the page."""
from __future__ import annotations

from flask_login import current_user

from network.api.framework import api_get
from network.api.resources.evaluations import rating_means
from network.api.schemas.dashboard import (
    AssignmentCountsOut, CostTotalsOut, DashboardOut, EvaluationSummaryOut, FeedbackCountsOut, FollowUpGroupOut,
    FollowUpOut, GatheringCostOut, GatheringParticipationOut,
)
from network.api.schemas.money import money
from network.assignments import services as assignment_services
from network.dashboard import access, services
from network.networks.loading import load_network, require

TAG = "Oversikt"


def dashboard_out(person, network) -> DashboardOut:
    require(access.can_view_dashboard(person, network))
    board = services.dashboard(network)
    by_status = services.feedback_by_status(network)
    participation = board.participation
    groups = board.attention.must + board.attention.nice
    return DashboardOut(
        network_id=network.id,
        municipalities=len(participation.rows),
        total_registered=participation.total_registered,
        total_attended=participation.total_attended,
        participation=[GatheringParticipationOut(gathering_id=g.id, number=g.number,
                                                 registered=participation.registered(g.id),
                                                 attended=participation.attended(g.id))
                       for g in participation.gatherings],
        follow_up=FollowUpOut(must=board.attention.must_count, groups=[
            FollowUpGroupOut(kind=group.kind, severity=group.severity,
                             gathering_number=group.gathering.number if group.gathering else None,
                             municipalities=len({check.membership.organisation_id for check in group.checks}))
            for group in groups]),
        costs=CostTotalsOut(total=money(board.costs.total), gatherings=[
            GatheringCostOut(gathering_id=g.id, number=g.number, amount=money(board.costs.gathering_total(g.id)))
            for g in board.costs.gatherings]),
        assignments=[AssignmentCountsOut(
            assignment_id=status.assignment.id, title=status.assignment.title,
            submitted=status.counts[assignment_services.SUBMITTED], late=status.counts[assignment_services.LATE],
            draft=status.counts[assignment_services.DRAFT], missing=status.counts[assignment_services.MISSING])
            for status in board.assignments],
        feedback=FeedbackCountsOut(**by_status, awaiting_answer=board.feedback.awaiting_answer),
        evaluations=[EvaluationSummaryOut(gathering_id=score.gathering.id, number=score.gathering.number,
                                          invited=score.invited, answered=score.answered, withheld=score.withheld,
                                          means=rating_means(score))
                     for score in board.evaluations],
        examples_waiting=board.examples_waiting,
    )


@api_get("/networks/<int:network_id>/dashboard", response=DashboardOut,
         summary="Koordinatorenes oversikt: deltakelse, oppfølging, kostnader, oppgaver, tilbakemeldinger", tag=TAG)
def get_dashboard(network_id: int) -> DashboardOut:
    return dashboard_out(current_user, load_network(network_id))
