from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, labelled, str_enum

if TYPE_CHECKING:
    from network.auth.models import Person


class OrganisationKind(LabelledEnum):
    MUNICIPALITY = "municipality"
    COUNTY_AUTHORITY = "county_authority"
    HUSBANKEN = "husbanken"
    MINISTRY = "ministry"
    KS = "ks"
    RESEARCH = "research"
    OTHER = "other"


ORGANISATION_KIND_LABELS = labelled(OrganisationKind, {
    OrganisationKind.MUNICIPALITY: _l("Kommune"),
    OrganisationKind.COUNTY_AUTHORITY: _l("Fylkeskommune"),
    OrganisationKind.HUSBANKEN: _l("Husbanken"),
    OrganisationKind.MINISTRY: _l("Departement"),
    OrganisationKind.KS: _l("KS"),
    OrganisationKind.RESEARCH: _l("Forskningsmiljø"),
    OrganisationKind.OTHER: _l("Annen organisasjon"),
})


class County(db.Model):
    """A county on the 2020 structure (the one the 2019–2020 network used)."""

    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    municipalities: Mapped[list[Organisation]] = relationship(
        back_populates="county", order_by="Organisation.name"
    )

    def __repr__(self) -> str:
        return f"<County {self.number} {self.name}>"


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'municipality' OR (kommunenummer IS NOT NULL AND county_id IS NOT NULL)",
            name="municipality_has_number_and_county",
        ),
        CheckConstraint(
            "population_2020 IS NULL OR population_2020 >= 0", name="population_not_negative"
        ),
        CheckConstraint(
            "centrality_class IS NULL OR centrality_class BETWEEN 1 AND 6",
            name="centrality_class_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    org_number: Mapped[str | None] = mapped_column(String(9))  # Brønnøysund, when known
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"), index=True)

    # Municipality facts from SSB (see network/data/README.md).
    kommunenummer: Mapped[str | None] = mapped_column(String(4), unique=True)
    name_ssb: Mapped[str | None] = mapped_column(String(120))
    population_2020: Mapped[int | None]
    population_2010: Mapped[int | None]
    centrality_class: Mapped[int | None]
    centrality_index: Mapped[int | None]
    kommunenummer_2024: Mapped[str | None] = mapped_column(String(20))  # "1508/1580" where a municipality split

    county: Mapped[County | None] = relationship(back_populates="municipalities")
    people: Mapped[list[Person]] = relationship(back_populates="organisation", order_by="Person.name")

    @property
    def is_municipality(self) -> bool:
        return self.kind is OrganisationKind.MUNICIPALITY

    @property
    def population_change_percent(self) -> float | None:
        if not self.population_2010 or self.population_2020 is None:
            return None
        return (self.population_2020 - self.population_2010) / self.population_2010 * 100

    def __repr__(self) -> str:
        return f"<Organisation {self.name} ({self.kind.value})>"
