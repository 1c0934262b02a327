"""Registry data that is configuration, not code: the claim rules and the holiday calendar."""

from __future__ import annotations

from datetime import date

CLAIM_RULES = [
    (
        "coins",
        True,
        "Coins are a reward, not an environmental claim; credit sales fund the rewards.",
    ),
    ("donation", False, "An enterprise donated this reduction: it belongs to the receiving pool's donors."),
    ("credit", False, "Already counted in a monitoring report."),
]

# Mainland China public holidays and the weekend days made working days (State Council notices).
HOLIDAYS_2026 = [
    (date(2026, 1, 1), "元旦", False),
    (date(2026, 1, 2), "元旦", False),
    (date(2026, 1, 3), "元旦", False),
    (date(2026, 1, 4), "元旦调休上班", True),
    (date(2026, 2, 14), "春节调休上班", True),
    *[(date(2026, 2, d), "春节", False) for d in range(15, 24)],
    (date(2026, 2, 28), "春节调休上班", True),
    (date(2026, 4, 4), "清明节", False),
    (date(2026, 4, 5), "清明节", False),
    (date(2026, 4, 6), "清明节", False),
    *[(date(2026, 5, d), "劳动节", False) for d in range(1, 6)],
    (date(2026, 5, 9), "劳动节调休上班", True),
    (date(2026, 6, 19), "端午节", False),
    (date(2026, 6, 20), "端午节", False),
    (date(2026, 6, 21), "端午节", False),
    (date(2026, 9, 20), "国庆节调休上班", True),
    (date(2026, 9, 25), "中秋节", False),
    (date(2026, 9, 26), "中秋节", False),
    (date(2026, 9, 27), "中秋节", False),
    *[(date(2026, 10, d), "国庆节", False) for d in range(1, 8)],
    (date(2026, 10, 10), "国庆节调休上班", True),
]


def load(ClaimRule, Holiday) -> None:
    for purpose, may, reason in CLAIM_RULES:
        ClaimRule.objects.update_or_create(purpose=purpose, defaults={"may_credit": may, "reason": reason})
    for day, name, working in HOLIDAYS_2026:
        Holiday.objects.update_or_create(day=day, defaults={"name": name, "is_working_day": working})
