"""Reads for the public transparency page and the API: methodologies, versions and parameter history."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter


def methodology_list() -> QuerySet[Methodology]:
    versions = MethodologyVersion.objects.select_related("centre").prefetch_related(
        Prefetch("slots", queryset=VersionParameter.objects.order_by("slot"))
    )
    return Methodology.objects.prefetch_related(Prefetch("versions", queryset=versions))


def methodology_get(code: str) -> Methodology | None:
    return methodology_list().filter(code=code).first()


def parameter_history(codes: set[str]) -> list[Parameter]:
    """Every value ever published for ``codes``, newest first within a series."""
    return list(
        Parameter.objects.filter(code__in=codes)
        .select_related("centre")
        .order_by("code", "region", "centre_id", "qualifier", "-valid_from", "-id")
    )


def parameters_by_code(methodologies: Iterable[Methodology]) -> dict[str, list[Parameter]]:
    codes = {slot.code for m in methodologies for v in m.versions.all() for slot in v.slots.all()}
    history: dict[str, list[Parameter]] = {code: [] for code in sorted(codes)}
    for parameter in parameter_history(codes):
        history[parameter.code].append(parameter)
    return history


def parameters_in(ids: Iterable[int | None]) -> dict[int, Parameter]:
    """Published parameters by id (the ones a reduction's evidence names)."""
    return Parameter.objects.select_related("centre").in_bulk([i for i in ids if i is not None])


def parameter_series_latest() -> QuerySet[Parameter]:
    """The newest value of every series (code, qualifier, region, centre): the one a new value follows."""
    return (
        Parameter.objects.filter(superseded_by__isnull=True)
        .select_related("centre")
        .order_by("centre__code", "code", "qualifier", "region")
    )
