"""Reads for enterprises: what a member, a reviewer and the public may see."""

from __future__ import annotations

from django.db.models import QuerySet

from tanpuhui.accounts.models import User
from tanpuhui.enterprises.models import Donation, Enterprise, RetrofitProject


def enterprises_of(user: User) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(members__user=user).select_related("centre")


def projects_of(user: User) -> QuerySet[RetrofitProject]:
    return RetrofitProject.objects.filter(enterprise__members__user=user).select_related(
        "enterprise", "centre"
    )


def project_list() -> QuerySet[RetrofitProject]:
    return RetrofitProject.objects.select_related("enterprise", "centre")


def review_queue() -> QuerySet[RetrofitProject]:
    return (
        project_list()
        .filter(status__in=[RetrofitProject.Status.SUBMITTED, RetrofitProject.Status.UNDER_REVIEW])
        .order_by("submitted_at")
    )


def donations_of(user: User) -> QuerySet[Donation]:
    return Donation.objects.filter(enterprise__members__user=user).select_related(
        "enterprise", "reduction_year__project", "pool"
    )


def certificate(code: str) -> Donation | None:
    return (
        Donation.objects.select_related("enterprise", "reduction_year__project", "centre", "pool")
        .filter(verification_code=code.strip().upper())
        .first()
    )


def thank_you_list() -> QuerySet[Donation]:
    """Donations of enterprises that agreed to be thanked in public, newest first."""
    return (
        Donation.objects.filter(public_thanks=True, enterprise__public_thanks=True)
        .select_related("enterprise", "centre")
        .order_by("-created_at")
    )
