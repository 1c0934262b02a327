"""Enterprise pages: the footprint studies of the caller's enterprises and one study's result."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404, render

from tanpuhui.common.scoping import page_for
from tanpuhui.enterprises.audiences import ENTERPRISE, ENTERPRISE_APPLICANT
from tanpuhui.labels import selectors
from tanpuhui.labels.models import Stage, Study

BAR_HEIGHT = 28
CHART_WIDTH = 320
LABEL_WIDTH = 110


def stage_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Horizontal bars per life-cycle stage, drawn server-side (kg CO₂e per declared unit)."""
    stages = [(Stage(code).label, kg) for code, kg in result.get("stages", {}).items()]
    top = max((abs(kg) for _, kg in stages), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    bars = [
        {
            "label": label,
            "kg": kg,
            "y": i * BAR_HEIGHT,
            "text_y": i * BAR_HEIGHT + 18,
            "width": max(1, round(span * abs(kg) / top)),
            "value_x": LABEL_WIDTH + max(1, round(span * abs(kg) / top)) + 6,
        }
        for i, (label, kg) in enumerate(stages)
    ]
    return {"bars": bars, "width": CHART_WIDTH, "height": max(1, len(bars)) * BAR_HEIGHT, "x0": LABEL_WIDTH}


@page_for(ENTERPRISE_APPLICANT)
def study_list(request):
    studies = ENTERPRISE_APPLICANT.scope(selectors.study_list(), request.user, "enterprise__members__user")
    return render(request, "labels/study_list.html", {"studies": studies})


@page_for(ENTERPRISE)
def study_detail(request, pk):
    study: Study = get_object_or_404(ENTERPRISE.scope(selectors.study_detail(), request.user), pk=pk)
    return render(
        request,
        "labels/study_detail.html",
        {
            "study": study,
            "result": study.result,
            "chart": stage_chart(study.result) if study.result else None,
        },
    )
