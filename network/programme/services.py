"""The rules of a gathering's programme and materials: order, days, links and files.

Every change to the order locks the gathering's row first (``SELECT … FOR UPDATE`` on
PostgreSQL), then renumbers, so positions stay 0..n-1 even when two coordinators click at once.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from network.extensions import db
from network.validators import is_web_address
from network.files.models import StoredFile
from network.files.services import DOCUMENTS, UploadError, store_upload
from network.gatherings.models import Gathering, GatheringDay, Material, ProgrammeItem, WorkingMethod

URL_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 200


class ProgrammeError(ValueError):
    """A rule was broken; the message is shown on the form, next to ``field`` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- reading ----------------------------------------------------------------------------


def programme_for(gathering: Gathering) -> list[ProgrammeItem]:
    """Load the programme, its days, every material and the files' details (not their bytes)
    onto ``gathering`` in two queries, however long the programme is. Afterwards
    ``gathering.programme``, ``item.materials`` and ``gathering.materials`` cost no queries."""
    items = list(db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.gathering_id == gathering.id)
        .options(joinedload(ProgrammeItem.day)).order_by(ProgrammeItem.position, ProgrammeItem.id)
    ))
    materials = list(db.session.scalars(
        select(Material).where(Material.gathering_id == gathering.id)
        .options(joinedload(Material.file)).order_by(Material.id)
    ))
    by_item: dict[int, list[Material]] = defaultdict(list)
    for material in materials:
        if material.programme_item_id is not None:
            by_item[material.programme_item_id].append(material)
    for item in items:
        set_committed_value(item, "materials", by_item.get(item.id, []))
    set_committed_value(gathering, "programme", items)
    set_committed_value(gathering, "materials", materials)
    return items


def gathering_materials(gathering: Gathering) -> list[Material]:
    """Materials for the gathering as a whole, not for one programme item."""
    return [material for material in gathering.materials if material.programme_item_id is None]


@dataclass
class ProgrammeGroup:
    """Part of the programme shown under one heading: one day of the gathering, or the items
    without a day. A gathering of one day is one group without a day."""

    day: GatheringDay | None
    number: int | None  # the day's number in the gathering, 1-based
    items: list[ProgrammeItem]


def _group_key(gathering: Gathering, item: ProgrammeItem) -> int | None:
    return item.day_id if len(gathering.days) > 1 else None


def programme_groups(gathering: Gathering) -> list[ProgrammeGroup]:
    """The programme split by day, in programme order within each day (no queries once
    ``programme_for`` has run). Items without a day come last."""
    items = gathering.programme
    if len(gathering.days) <= 1:
        return [ProgrammeGroup(None, None, list(items))] if items else []
    groups = [ProgrammeGroup(day, n, [item for item in items if item.day_id == day.id])
              for n, day in enumerate(gathering.days, 1)]
    groups.append(ProgrammeGroup(None, None, [item for item in items if _group_key(gathering, item) is None]))
    return [group for group in groups if group.items]


def get_item(gathering: Gathering, item_id: int) -> ProgrammeItem | None:
    return db.session.scalar(select(ProgrammeItem).where(
        ProgrammeItem.id == item_id, ProgrammeItem.gathering_id == gathering.id))


def get_material(gathering: Gathering, material_id: int) -> Material | None:
    return db.session.scalar(select(Material).where(Material.id == material_id, Material.gathering_id == gathering.id))


def file_for_download(material: Material) -> StoredFile | None:
    """The stored file with its bytes, or None when the material is a link."""
    if material.file_id is None:
        return None
    return db.session.scalar(select(StoredFile).where(StoredFile.id == material.file_id).options(undefer(StoredFile.data)))


def file_kind_label(content_type: str) -> str:
    return next((kind.label for kind in DOCUMENTS if kind.content_type == content_type), content_type)


# --- programme items --------------------------------------------------------------------


@dataclass
class ItemFields:
    title: str
    starts_at: time | None = None
    presenter: str = ""
    method: WorkingMethod = WorkingMethod.PLENARY
    description: str = ""
    day_id: int | None = None


def _lock(gathering: Gathering) -> None:
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())


def _ordered_items(gathering: Gathering) -> list[ProgrammeItem]:
    return list(db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.gathering_id == gathering.id)
        .order_by(ProgrammeItem.position, ProgrammeItem.id)
    ))


def _renumber(items: list[ProgrammeItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position


def _day(gathering: Gathering, day_id: int | None) -> GatheringDay | None:
    if day_id is None:
        return None
    day = db.session.scalar(select(GatheringDay).where(GatheringDay.id == day_id, GatheringDay.gathering_id == gathering.id))
    if day is None:
        raise ProgrammeError(_("Samlingen har ikke den dagen du valgte."), field="day_id")
    return day


def _apply(item: ProgrammeItem, gathering: Gathering, fields: ItemFields) -> None:
    title = fields.title.strip()
    if not title:
        raise ProgrammeError(_("Skriv en tittel på programpunktet."), field="title")
    item.title = title[:TITLE_MAX_LENGTH]
    item.day = _day(gathering, fields.day_id)
    item.starts_at = fields.starts_at
    item.presenter = fields.presenter.strip()
    item.method = fields.method
    item.description = fields.description.strip()


def add_item(gathering: Gathering, fields: ItemFields) -> ProgrammeItem:
    """A new item goes last in the programme."""
    _lock(gathering)
    item = ProgrammeItem(gathering_id=gathering.id, position=len(_ordered_items(gathering)))
    _apply(item, gathering, fields)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: ProgrammeItem, fields: ItemFields) -> None:
    _apply(item, item.gathering, fields)


def delete_item(item: ProgrammeItem) -> int:
    """Delete the item with its materials and their files; returns how many materials went with it."""
    gathering = item.gathering
    _lock(gathering)
    materials = list(db.session.scalars(select(Material).where(Material.programme_item_id == item.id)))
    for material in materials:
        _delete_material(material)
    db.session.delete(item)
    db.session.flush()
    _renumber(_ordered_items(gathering))
    db.session.flush()
    return len(materials)


def move_item(item: ProgrammeItem, offset: int) -> bool:
    """Swap the item with its neighbour above (-1) or below (+1) on the same day, as the
    programme is shown grouped by day. False when it is already first or last there."""
    gathering = item.gathering
    _lock(gathering)
    items = _ordered_items(gathering)
    key = _group_key(gathering, item)
    same_day = [index for index, other in enumerate(items) if _group_key(gathering, other) == key]
    here = same_day.index(items.index(item))
    there = here + offset
    if offset not in (-1, 1) or not 0 <= there < len(same_day):
        _renumber(items)
        db.session.flush()
        return False
    a, b = same_day[here], same_day[there]
    items[a], items[b] = items[b], items[a]
    _renumber(items)
    db.session.flush()
    return True


# --- materials --------------------------------------------------------------------------


@dataclass
class Upload:
    filename: str
    data: bytes


def check_url(url: str) -> str:
    """A full http or https address. Other schemes (javascript:, data:, file:) are refused."""
    url = (url or "").strip()
    if not is_web_address(url):
        raise ProgrammeError(_("Skriv en fullstendig lenke som begynner med https:// eller http://."), field="url")
    if len(url) > URL_MAX_LENGTH:
        raise ProgrammeError(_("Lenken kan være høyst %(n)s tegn.", n=URL_MAX_LENGTH), field="url")
    return url


def add_material(gathering: Gathering, *, title: str, url: str = "", upload: Upload | None = None,
                 item_id: int | None = None, added_by_id: int | None = None) -> Material:
    """Attach a link or a file (exactly one) to the gathering, or to one of its programme items."""
    url = (url or "").strip()
    title = (title or "").strip()
    if url and upload is not None:
        raise ProgrammeError(_("Legg inn enten en lenke eller en fil, ikke begge."), field="url")
    if not url and upload is None:
        raise ProgrammeError(_("Legg inn en lenke eller velg en fil."))
    item = None
    if item_id is not None:
        item = get_item(gathering, item_id)
        if item is None:
            raise ProgrammeError(_("Velg et punkt i programmet for denne samlingen."), field="attach_to")
    material = Material(gathering_id=gathering.id, programme_item_id=item.id if item else None, added_by_id=added_by_id)
    if url:
        material.url = check_url(url)
        if not title:
            raise ProgrammeError(_("Skriv en tittel på lenken."), field="title")
    else:
        try:
            stored = store_upload(upload.filename, upload.data, added_by_id)
        except UploadError as error:
            raise ProgrammeError(str(error), field="file") from None
        material.file = stored
        title = title or stored.filename
    material.title = title[:TITLE_MAX_LENGTH]
    db.session.add(material)
    db.session.flush()
    return material


def _delete_material(material: Material) -> None:
    stored = db.session.get(StoredFile, material.file_id) if material.file_id else None
    db.session.delete(material)
    if stored is not None:
        db.session.delete(stored)


def delete_material(material: Material) -> None:
    """Delete the material, and its file so that no bytes are left behind."""
    _delete_material(material)
    db.session.flush()
