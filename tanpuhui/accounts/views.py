"""Staff pages about the residents of the staff member's centres: find one, correct a display name."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tanpuhui.accounts import selectors, services
from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.forms import ResidentRenameForm, ResidentSearchForm
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import page_for

SHOWN = 50


@page_for(STAFF)
def staff_residents(request):
    form = ResidentSearchForm(request.GET or None)
    residents = STAFF.scope(selectors.resident_list(), request.user)
    term = form.cleaned_data["q"] if form.is_valid() else ""
    if term:
        residents = selectors.resident_search(residents, term)
    found = list(residents[: SHOWN + 1])
    return render(
        request,
        "accounts/staff_residents.html",
        {"form": form, "term": term, "residents": found[:SHOWN], "more": len(found) > SHOWN, "shown": SHOWN},
        status=400 if form.errors else 200,
    )


@page_for(STAFF)
def staff_resident(request, pk):
    resident = STAFF.scope(selectors.resident_list(), request.user).filter(pk=pk).first()
    if resident is None:
        raise Http404
    form = ResidentRenameForm(request.POST or None, initial={"display_name": resident.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_rename(
                actor=request.user,
                resident=resident,
                display_name=form.cleaned_data["display_name"],
                request=request,
            )
        except ServiceError as error:
            problems = error.fields.get("display_name") or [error.message]
            for problem in problems:
                form.add_error("display_name", problem)
        else:
            messages.success(request, _("The display name is corrected."))
            return redirect("web:staff-resident", pk=resident.pk)
    return render(
        request,
        "accounts/staff_resident.html",
        {"form": form, "resident": resident},
        status=400 if form.errors else 200,
    )
