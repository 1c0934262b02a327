"""Demo coins: a conversion rule per city centre, a campaign, a funded reward pool, and the
conversion of every reduction the metering demo produced. Idempotent: a second run changes nothing.

Default rule (documented in docs/ledger.md): 10 coins per kg CO₂e — 1 coin = 0.1 kg CO₂e — so a
typical 8 km metro commute (~1 kg avoided) earns about 10 coins; caps: 100 coins per behaviour per
day, 3,000 coins per resident per month; coins expire 24 months after they are earned.
"""

from datetime import date
from typing import Any

from tanpuhui.accounts.demo import RESIDENT_CENTRES, resident_phone
from tanpuhui.accounts.models import User
from tanpuhui.ledger import services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.conversion import campaign_multiplier_create, conversion_rule_create, reductions_convert
from tanpuhui.ledger.models import AccountKind, CampaignMultiplier, ConversionRule, LedgerCheck
from tanpuhui.tenancy.models import Centre

DEFAULT_CAPS: list[dict[str, Any]] = [
    *({"behaviour": b, "period": "day", "max_coins": 100} for b in ("bus", "metro", "cycling", "walking")),
    {"behaviour": "", "period": "month", "max_coins": 3000},
]
POOL_SEED = 50_000
WELCOME = 20
WELCOMED = 10  # first residents of each centre get a welcome reward from the pool


def load() -> str:
    rules = campaigns = 0
    for centre in Centre.objects.filter(kind=Centre.Kind.CITY).order_by("code"):
        if not ConversionRule.objects.filter(centre=centre).exists():
            conversion_rule_create(
                centre=centre,
                effective_from=date(2016, 1, 1),
                coins_per_kg="10",
                caps=DEFAULT_CAPS,
                expiry_months=24,
                notes="Demo default: 1 coin = 0.1 kg CO₂e",
            )
            rules += 1
        if not CampaignMultiplier.objects.filter(
            centre=centre, behaviour="metro", starts_on=date(2026, 6, 14)
        ).exists():
            # National Low Carbon Day is mid-June: public transport earns double for that week.
            campaign_multiplier_create(
                centre=centre,
                name="全国低碳日 · 地铁双倍碳币",
                behaviour="metro",
                starts_on=date(2026, 6, 14),
                ends_on=date(2026, 6, 20),
                factor="2",
            )
            campaigns += 1
        pool = services.account_get_or_create(kind=AccountKind.POOL, centre=centre, code="demo-rewards")
        services.pool_issue(
            pool=pool, amount=POOL_SEED, idempotency_key=f"demo:pool:{centre.code}", memo="demo budget"
        )
    welcomed = 0
    for code in RESIDENT_CENTRES:
        pool = services.account_get_or_create(
            kind=AccountKind.POOL, centre=Centre.objects.get(code=code), code="demo-rewards"
        )
        for index in range(1, WELCOMED + 1):
            resident = User.objects.filter(phone=resident_phone(code, index)).first()
            if resident is None:
                continue
            services.pool_reward(
                pool=pool,
                resident=resident,
                amount=WELCOME,
                idempotency_key=f"demo:welcome:{resident.pk}",
                memo="welcome reward",
            )
            welcomed += 1
    converted = reductions_convert()
    # Recorded once, so the staff page has a check to show and a reload changes nothing.
    check = ledger_check(record=not LedgerCheck.objects.exists())
    return (
        f"{rules} rules, {campaigns} campaigns, {welcomed} welcome rewards (replayed if already paid), "
        f"{converted.reductions} reductions converted ({converted.coins_earned} coins); "
        f"ledger_check {'ok' if check.ok else 'DIFFERENCES'}"
    )
