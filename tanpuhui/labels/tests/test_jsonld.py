"""openLCA JSON-LD (olca-schema): a study exported and imported again is the same study."""

import olca_schema as o
import pytest

from tanpuhui.enterprises.tests.factories import make_enterprise
from tanpuhui.labels import jsonld, services
from tanpuhui.labels.tests.factories import PAPER_TOTAL, computed_study

pytestmark = pytest.mark.django_db


def test_round_trip_keeps_lines_and_the_footprint(api, gz):
    enterprise, user = make_enterprise(gz, name="东莞某造纸厂")
    study = computed_study(enterprise, user)
    api.force_authenticate(user)
    document = api.get(f"/api/v1/labels/studies/{study.pk}/jsonld").json()
    # It is openLCA's model: the entities parse with olca-schema and link by default provider.
    system = o.ProductSystem.from_dict(document["productSystems"][0])
    processes = {p["@id"]: o.Process.from_dict(p) for p in document["processes"]}
    foreground = processes[system.ref_process.id]
    inputs = [e for e in foreground.exchanges if e.is_input]
    assert len(inputs) == 6 and all(e.default_provider.id in processes for e in inputs)
    electricity = next(e for e in inputs if e.flow.name == "外购电力")
    assert (electricity.amount, electricity.unit.name, electricity.dq_entry) == (450.0, "kWh", "(1;1;1;1;1)")
    back = api.post(
        "/api/v1/labels/studies/import",
        {"enterprise": str(enterprise.pk), "document": document},
        format="json",
    )
    assert back.status_code == 201, back.content
    again = services.study_compute(study=type(study).objects.get(pk=back.json()["id"]), draws=20)
    assert again.result["total_kg"] == pytest.approx(float(PAPER_TOTAL))

    def key(line):
        return (
            line.stage,
            line.name,
            line.quantity,
            line.unit,
            line.factor_code,
            line.excluded,
            line.data_quality,
        )

    assert sorted(map(key, again.lines.all())) == sorted(map(key, study.lines.all()))


def test_a_broken_document_is_a_400_and_nothing_is_written(api, gz):
    enterprise, user = make_enterprise(gz, name="东莞某造纸厂")
    study = computed_study(enterprise, user)
    document = jsonld.export_study(study)
    foreground = document["processes"][0]
    foreground["exchanges"][1]["unit"]["name"] = "kg"  # electricity in kg: does not convert
    api.force_authenticate(user)
    before = type(study).objects.count()
    answer = api.post(
        "/api/v1/labels/studies/import",
        {"enterprise": str(enterprise.pk), "document": document},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "unit_mismatch"
    assert type(study).objects.count() == before
    assert (
        api.post(
            "/api/v1/labels/studies/import",
            {"enterprise": str(enterprise.pk), "document": {"x": 1}},
            format="json",
        ).status_code
        == 400
    )
