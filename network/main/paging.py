"""Pages of a long list: the arithmetic every paged list shares (``PageSpan``), and pages of rows
for the tables that list every member municipality (a national network has hundreds, so a table
shows one page of them while its totals and exports cover them all)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from urllib.parse import urlencode

from flask import request

PER_PAGE = 50  # a demo-sized network (17 municipalities) fits on one page
T = TypeVar("T")


@dataclass(frozen=True)
class PageSpan:
    """Which rows of ``total`` page ``number`` shows, ``per_page`` to a page."""
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.per_page)


@dataclass(frozen=True)
class RowPage(PageSpan, Generic[T]):
    rows: Sequence[T] = ()  # this page's rows
    name: str = "page"      # the query parameter that chooses the page

    def links(self, anchor: str = "") -> list[tuple[int, str]]:
        """(number, address) for every page; the rest of the query string (sorting, another
        table's page) is kept."""
        args = request.args.to_dict()
        links = []
        for number in range(1, self.pages + 1):
            args[self.name] = str(number)
            links.append((number, "?" + urlencode(args) + anchor))
        return links


def requested_page(name: str) -> int:
    """The page asked for in the query string; anything but a positive number is the first."""
    number = request.args.get(name, 1, type=int)
    return number if number and number > 0 else 1


def row_page(rows: Sequence[T], name: str, number: int | None = None, per_page: int = PER_PAGE) -> RowPage[T]:
    """One page of ``rows``; a page past the end shows the last one."""
    number = requested_page(name) if number is None else number
    pages = max(1, math.ceil(len(rows) / per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return RowPage(total=len(rows), number=number, per_page=per_page, rows=rows[start:start + per_page], name=name)
