"""Wall-test declarations of the ledger rows (see ``common/tests/walls.py``)."""

from tanpuhui.ledger.models import CoinAward


def _award(owner) -> CoinAward:
    from tanpuhui.ledger.conversion import reductions_convert
    from tanpuhui.ledger.models import ConversionRule
    from tanpuhui.ledger.tests.factories import default_rule, make_reduction

    if not ConversionRule.objects.filter(centre=owner.centre).exists():
        default_rule(owner.centre)
    reduction = make_reduction(owner, "1.25", behaviour="metro")
    reductions_convert(centre_ids=[owner.centre_id])
    return CoinAward.objects.get(reduction=reduction)


OBJECTS = {("resident", CoinAward): _award}
