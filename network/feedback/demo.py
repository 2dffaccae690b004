"""Demo feedback for the 2019–2020 network: named and anonymous, on each kind of topic and in each
status, one answered with a reply and one with an internal note. Every sentence is written for the demo.

``load_demo(network, coordinator)`` is idempotent: an item whose text is already in the network is left
alone. It writes the rows directly, so no mail is queued. The caller commits. Run it after the resources
demo, so the KS slide set is there to point at (without it, the slide feedback has no set).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackNote,
    FeedbackReply,
    FeedbackStatus,
    FeedbackTopic,
)
from network.gatherings.models import Gathering
from network.networks.models import Network, NetworkRole, RoleKind
from network.resources.demo import KS_SET_TITLE, slides_pdf
from network.resources.models import SlideSet

# (sender index among the participants or None for anonymous, topic, gathering number, slide set?,
#  received, status, works, does not work, suggestion, reply, note, attachment name)
ITEMS = [
    dict(
        sender=0, topic=FeedbackTopic.GATHERING, gathering=1, received=date(2019, 4, 12), status=FeedbackStatus.ANSWERED,
        works="Det var nyttig å høre hvordan de andre kommunene har fordelt ansvaret for boligpolitikken. "
              "Vi tok med oss flere spørsmål hjem til ledergruppen.",
        does_not_work="Gruppearbeidet etter lunsj ble for kort. Vi rakk så vidt å presentere oss før vi måtte "
                      "tilbake i plenum.",
        suggestion="Send ut spørsmålene til gruppearbeidet en uke før, så kan vi forberede oss hjemme.",
        reply=(datetime(2019, 4, 16, 9, 30, tzinfo=timezone.utc),
               "Takk for at du sa fra! Vi sender spørsmålene til gruppearbeidet ut en uke før neste samling, "
               "og setter av en hel time til gruppene i september."),
    ),
    dict(
        sender=None, topic=FeedbackTopic.SLIDES, slide_set=True, received=date(2019, 6, 3), status=FeedbackStatus.READ,
        does_not_work="Lysarkene om kommuneplanens arealdel har for mye tekst til å vises i et politisk utvalg. "
                      "Politikerne leste i stedet for å lytte.",
        suggestion="En kortversjon med færre ord og et kart fra egen kommune på hvert lysark ville vært lettere å bruke.",
        note=(datetime(2019, 6, 5, 13, 0, tzinfo=timezone.utc),
              "Tas med når settet revideres før samling 3. Spør Hamar om de vil dele kortversjonen sin."),
    ),
    dict(
        sender=1, topic=FeedbackTopic.SLIDES, slide_set=True, received=date(2019, 11, 20), status=FeedbackStatus.NEW,
        works="Manusene under hvert lysark gjorde det lett for en saksbehandler å holde innlegget uten å ha "
              "vært med på samlingen.",
        suggestion="Vi har laget en versjon med egne tall og bilder for formannskapet. Den ligger ved, hvis "
                   "andre kan ha nytte av den.",
        attachment="Boligpolitikk for formannskapet.pdf",
    ),
    dict(
        sender=None, topic=FeedbackTopic.PLATFORM, received=date(2020, 2, 11), status=FeedbackStatus.NEW,
        does_not_work="På mobilen er det vanskelig å finne oppgaven vi skal levere før neste samling. "
                      "Jeg måtte bla gjennom hele forsiden.",
        suggestion="En snarvei til oppgavene øverst på siden.",
    ),
    dict(
        sender=2, topic=FeedbackTopic.NETWORK, received=date(2020, 3, 4), status=FeedbackStatus.ARCHIVED,
        works="Å bli satt i gruppe med kommuner som har det samme vekstpresset som oss ga mest. Vi har "
              "fortsatt kontakten mellom samlingene.",
    ),
    dict(
        sender=3, topic=FeedbackTopic.GATHERING, gathering=4, received=date(2020, 5, 28), status=FeedbackStatus.NEW,
        works="Det digitale møtet fungerte bedre enn vi fryktet, og det var fint å slippe reisen.",
        does_not_work="Grupperommene ble stille. Det er vanskeligere å ta ordet når man ikke kjenner de andre godt.",
        suggestion="Gi hver gruppe en ordstyrer og et par konkrete spørsmål å starte med.",
    ),
]


def _participants(network: Network) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.PARTICIPANT)
        .order_by(Person.email)
    ))


def load_demo(network: Network, coordinator: Person) -> int:
    """Add the demo feedback to ``network``; returns how many items were new."""
    existing = {
        (works, does_not_work) for works, does_not_work in db.session.execute(
            select(Feedback.works, Feedback.does_not_work).where(Feedback.network_id == network.id))
    }
    participants = _participants(network)
    gatherings = {g.number: g for g in db.session.scalars(select(Gathering).where(Gathering.network_id == network.id))}
    slide_set = db.session.scalar(select(SlideSet).where(
        SlideSet.network_id == network.id, SlideSet.title == KS_SET_TITLE, SlideSet.organisation_id.is_(None)))
    added = 0
    for item in ITEMS:
        works, does_not_work = item.get("works", ""), item.get("does_not_work", "")
        if (works, does_not_work) in existing:
            continue
        sender_index = item["sender"]
        sender = participants[sender_index % len(participants)] if sender_index is not None and participants else None
        feedback = Feedback(
            network=network, topic=item["topic"], works=works, does_not_work=does_not_work,
            suggestion=item.get("suggestion", ""), received_on=item["received"], status=item["status"],
            anonymous=item["sender"] is None,
            gathering=gatherings.get(item.get("gathering")),
            slide_set=slide_set if item.get("slide_set") else None,
        )
        if sender is not None:
            feedback.sender_id, feedback.sender_name, feedback.sender_email = sender.id, sender.name, sender.email
        elif not feedback.anonymous:
            feedback.anonymous = True  # no participants to name: it can only be anonymous
        if "attachment" in item:
            title = item["attachment"].removesuffix(".pdf")
            data = slides_pdf(title, [title])  # the resources demo's PDF writer, one page
            feedback.attachments.append(FeedbackAttachment(
                filename=item["attachment"], content_type="application/pdf", size=len(data), data=data))
        if "reply" in item and not feedback.anonymous:
            sent_at, body = item["reply"]
            feedback.replies.append(FeedbackReply(author_id=coordinator.id, recipient=feedback.sender_email,
                                                  body=body, sent_at=sent_at))
        if "note" in item:
            created_at, body = item["note"]
            feedback.notes.append(FeedbackNote(author_id=coordinator.id, body=body, created_at=created_at))
        db.session.add(feedback)
        added += 1
    db.session.flush()
    return added
