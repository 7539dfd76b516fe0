"""Frontex migratory routes: labels as in the Frontex IBC workbook, and where they are detected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    label: str  # exactly as in the Frontex workbook's `Route` column
    short_name: str  # as written in the report
    detected_in: tuple[str, ...]  # Member States (Eurostat codes) where IBCs on the route are detected


ROUTES: tuple[Route, ...] = (
    Route("Eastern Mediterranean Route", "Eastern Mediterranean", ("EL", "CY", "BG")),
    Route("Central Mediterranean Route", "Central Mediterranean", ("IT", "MT")),
    Route("Western Mediterranean Route", "Western Mediterranean", ("ES",)),
    Route("Western African Route", "Western African", ("ES",)),
    Route("Western Balkan Route", "Western Balkans", ("HR", "HU", "RO", "BG")),
    Route("Circular Route from Albania to Greece", "Circular route Albania-Greece", ("EL",)),
    Route("Eastern Borders Route", "Eastern borders", ("FI", "EE", "LV", "LT", "PL", "SK", "HU", "RO")),
    Route("Black Sea Route", "Black Sea", ("RO", "BG")),
    Route("Other", "Other", ()),
)

ROUTE_LABELS: tuple[str, ...] = tuple(route.label for route in ROUTES)
_BY_LABEL = {route.label: route for route in ROUTES}


def route(label: str) -> Route:
    try:
        return _BY_LABEL[label]
    except KeyError:
        raise KeyError(f"unknown route label {label!r}; expected one of: {', '.join(ROUTE_LABELS)}")
