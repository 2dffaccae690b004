"""Money in the API: a string with two decimals ("1800.00"), never a float, so that sums add up
to the øre in Excel, R and pandas alike."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["1800.00"],
                             description="Kroner med to desimaler, som tekst (aldri et flyttall).")]


def money(amount: Decimal | int) -> str:
    return format(Decimal(amount).quantize(Decimal("0.01")), ".2f")
