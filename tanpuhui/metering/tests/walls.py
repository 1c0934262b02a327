"""Wall-test declarations of the provider audience and the metering rows (see ``common/tests/walls.py``)."""

from tanpuhui.metering.models import Batch, DataProvider, Reduction
from tanpuhui.metering.schemas import SCHEMAS
from tanpuhui.metering.tests.factories import make_provider, upload

MEMBERS = {"provider": lambda centre: make_provider(centre).service_user}
AUDIENCE_MEMBER = {"provider": "provider"}


def _batch(provider: DataProvider) -> Batch:
    record_type = provider.record_types[0]
    return upload(provider, record_type, SCHEMAS[record_type].example_csv())[0]


def _reduction(owner) -> Reduction:
    from tanpuhui.ledger.tests.factories import make_reduction

    return make_reduction(owner, "1.25")


OBJECTS = {
    ("provider", Batch): lambda owner: _batch(DataProvider.objects.get(service_user=owner)),
    ("staff", Batch): lambda owner: _batch(make_provider(owner.centre, code=f"w-{owner.pk.hex[:8]}")),
    ("staff", DataProvider): lambda owner: make_provider(owner.centre, code=f"w-{owner.pk.hex[:8]}"),
    ("resident", Reduction): _reduction,
}
