"""Demo providers per centre and six months of their files for the demo residents' bindings,
pushed through the real pipeline (synchronously), with a few bad rows and unmatched accounts.

Idempotent: files are generated deterministically and record ids are stable, so a second run
hits the duplicate-file check (same day) or the (provider, record id) dedup (another day).
"""

from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tanpuhui.accounts.demo import RESIDENT_CENTRES, RESIDENTS_PER_CENTRE, resident_numbers, resident_phone
from tanpuhui.accounts.models import Binding
from tanpuhui.metering import services
from tanpuhui.metering.models import DataProvider
from tanpuhui.tenancy.models import Centre

TZ = ZoneInfo("Asia/Shanghai")
K = DataProvider.Kind

# centre → [(code, name, kind)]; names are what residents read on an explanation page
PROVIDERS = {
    "GZ": [
        ("gz-power", "广州供电局", K.POWER_UTILITY),
        ("gz-water", "广州市自来水有限公司", K.WATER_UTILITY),
        ("gz-gas", "广州燃气集团", K.GAS_UTILITY),
        ("gz-yct", "羊城通", K.TRANSIT_OPERATOR),
        ("gz-bike", "广州共享单车运营商", K.BIKE_SHARE_OPERATOR),
    ],
    "ZS": [
        ("zs-power", "中山供电局", K.POWER_UTILITY),
        ("zs-transit", "中山公交一卡通", K.TRANSIT_OPERATOR),
        ("zs-forestry", "中山市林业调查规划队", K.FORESTRY_SURVEYOR),
    ],
    "DG": [
        ("dg-power", "东莞供电局", K.POWER_UTILITY),
        ("dg-transit", "东莞通", K.TRANSIT_OPERATOR),
    ],
    "HQ": [
        ("hq-power", "横琴供电局", K.POWER_UTILITY),
        ("hq-transit", "珠海公交卡", K.TRANSIT_OPERATOR),
    ],
}
# Centre defaults where a household has no billing history (illustrative demo values).
DEFAULT_BASELINES = {"electricity_reading": "9.0", "water_reading": "0.45", "gas_reading": "0.5"}
VILLAGES = [
    "五桂山桂南村",
    "五桂山龙塘村",
    "五桂山石莹桥村",
    "五桂山长命水村",
    "三乡镇雍陌村",
    "南朗镇左步村",
]
FOREST_TYPES = ["broadleaf", "mixed", "conifer", "guangdong_average"]
MONTHS_BACK = 6


def _months(today: date, count: int) -> list[tuple[date, date]]:
    """The last ``count`` complete calendar months, oldest first."""
    first = today.replace(day=1)
    out = []
    for _i in range(count):
        end = first - timedelta(days=1)
        first = end.replace(day=1)
        out.append((first, end))
    return list(reversed(out))


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _csv(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _push(provider: DataProvider, record_type: str, payload: bytes, name: str, file_format="csv"):
    batch, duplicate = services.batch_receive(
        provider=provider,
        record_type=record_type,
        file_format=file_format,
        stream=io.BytesIO(payload),
        original_name=name,
        enqueue=False,
    )
    if not duplicate:
        batch = services.batch_process(batch_id=batch.pk)
    return batch, duplicate


def _utility_rows(code: str, kind: str, rng: random.Random, today: date, per_day: float) -> list[list]:
    rows = []
    months = _months(today, MONTHS_BACK)
    for i in range(1, RESIDENTS_PER_CENTRE + 1):
        number = resident_numbers(code, i)[kind]
        habit = rng.uniform(0.7, 1.3)
        for start, end in months:
            days = (end - start).days + 1
            for years_back in (2, 1, 0):  # history first, so baselines exist
                s, e = _shift_year(start, years_back), _shift_year(end, years_back)
                saving = 1.0 if years_back else rng.uniform(0.8, 1.05)
                qty = round(per_day * days * habit * saving * rng.uniform(0.95, 1.05), 1)
                rows.append([f"{number}-{s:%Y%m}", 1, number, s.isoformat(), e.isoformat(), qty])
    return rows


def load() -> str:
    today = timezone.localdate()
    centres = {c.code: c for c in Centre.objects.filter(code__in=RESIDENT_CENTRES)}
    providers: dict[str, DataProvider] = {}
    for code, specs in PROVIDERS.items():
        centre = centres.get(code)
        if centre is None:
            continue
        params = dict(centre.parameters or {})
        metering = dict(params.get("metering", {}))
        metering.setdefault("default_baseline_per_day", DEFAULT_BASELINES)
        metering.setdefault("late_binding_days", 200)  # the demo delivers six months at once
        if params.get("metering") != metering:
            params["metering"] = metering
            centre.parameters = params
            centre.save(update_fields=["parameters", "updated_at"])
        for pcode, name, kind in specs:
            provider = DataProvider.objects.filter(centre=centre, code=pcode).first()
            if provider is None:
                provider = services.provider_create(centre=centre, code=pcode, name=name, kind=kind)
            providers[pcode] = provider

    summary = {"batches": 0, "duplicates": 0, "quantified": 0, "rejected_rows": 0}

    def push(pcode, record_type, payload, name, file_format="csv"):
        batch, duplicate = _push(providers[pcode], record_type, payload, name, file_format)
        summary["duplicates" if duplicate else "batches"] += 1
        if not duplicate:
            summary["quantified"] += batch.quantified
            summary["rejected_rows"] += batch.rejected

    for code in PROVIDERS:
        if code not in centres:
            continue
        rng = random.Random(f"metering-{code}-{today:%Y%m}")
        lower = code.lower()
        # Electricity: three years of the same months (history → baseline), a few bad rows.
        rows = _utility_rows(code, Binding.Kind.ELECTRICITY, rng, today, per_day=9.0)
        rows += [
            [
                "bad-neg",
                1,
                resident_numbers(code, 1)[Binding.Kind.ELECTRICITY],
                "2026-01-01",
                "2026-01-31",
                -12,
            ],
            [
                "bad-date",
                1,
                resident_numbers(code, 2)[Binding.Kind.ELECTRICITY],
                "2026-02-30",
                "2026-03-01",
                100,
            ],
            ['=HYPERLINK("http://evil")', 1, "01999999", "2026-01-01", "2026-01-31", 80],
            [
                f"unbound-{lower}-1",
                1,
                f"0{9}{99990001:08d}",
                _months(today, 1)[0][0],
                _months(today, 1)[0][1],
                250,
            ],
        ]
        push(f"{lower}-power", "electricity_reading", _csv(
            ["record_id", "revision", "account", "period_start", "period_end", "quantity"], rows
        ), f"{lower}-electricity-{today:%Y%m}.csv")  # fmt: skip

        # Transit: a few trips a week per card, some with distance; one unknown card.
        trips = []
        start_day = _months(today, MONTHS_BACK)[0][0]
        for i in range(1, RESIDENTS_PER_CENTRE + 1):
            card = resident_numbers(code, i)[Binding.Kind.TRANSIT_CARD]
            d = start_day + timedelta(days=rng.randint(0, 4))
            while d < today:
                boarded = datetime.combine(d, time(rng.randint(7, 20), rng.randint(0, 59)), TZ)
                mode = "metro" if rng.random() < 0.6 else "bus"
                trips.append([f"{card}-{boarded:%Y%m%d%H%M}", card, mode, boarded.isoformat(), "", "", ""])
                d += timedelta(days=rng.randint(3, 7))
        trips.append(
            [
                f"T{code}-unknown-1",
                "T999999999",
                "bus",
                datetime.combine(today - timedelta(days=3), time(9), TZ).isoformat(),
                "",
                "",
                "",
            ]
        )
        trips.append(
            [
                f"T{code}-bad-mode",
                "T999999998",
                "ferry",
                datetime.combine(today - timedelta(days=3), time(9), TZ).isoformat(),
                "",
                "",
                "",
            ]
        )
        transit_code = "gz-yct" if code == "GZ" else f"{lower}-transit"
        push(transit_code, "transit_trip", _csv(
            ["record_id", "card", "mode", "boarded_at", "origin", "destination", "distance_km"], trips
        ), f"{lower}-trips-{today:%Y%m}.csv")  # fmt: skip

    if "GZ" in centres:
        rng = random.Random(f"metering-gz-extra-{today:%Y%m}")
        push("gz-water", "water_reading", _csv(
            ["record_id", "revision", "account", "period_start", "period_end", "quantity"],
            _utility_rows("GZ", Binding.Kind.WATER, rng, today, per_day=0.45),
        ), f"gz-water-{today:%Y%m}.csv")  # fmt: skip
        push("gz-gas", "gas_reading", _csv(
            ["record_id", "revision", "account", "period_start", "period_end", "quantity"],
            _utility_rows("GZ", Binding.Kind.GAS, rng, today, per_day=0.5),
        ), f"gz-gas-{today:%Y%m}.csv")  # fmt: skip
        rides, walks = [], []
        first = _months(today, MONTHS_BACK)[0][0]
        for i in range(4, RESIDENTS_PER_CENTRE + 1, 4):
            account = resident_numbers("GZ", i)[Binding.Kind.BIKE_SHARE]
            d = first + timedelta(days=rng.randint(0, 3))
            while d < today:
                started = datetime.combine(d, time(8, rng.randint(0, 50)), TZ)
                km = round(rng.uniform(1.0, 6.0), 2)
                ended = started + timedelta(minutes=int(km * 4) + 3)
                rides.append({"record_id": f"{account}-{started:%Y%m%d%H%M}", "account": account,
                              "started_at": started.isoformat(), "ended_at": ended.isoformat(), "distance_km": km})  # fmt: skip
                walks.append({"record_id": f"{account}-steps-{d:%Y%m%d}", "account": account,
                              "date": d.isoformat(), "steps": rng.randint(2000, 14000)})  # fmt: skip
                d += timedelta(days=rng.randint(2, 5))
        rides.append({"record_id": "too-fast", "account": "bike-gz-00004", "started_at": "2026-01-05T08:00:00+08:00",
                      "ended_at": "2026-01-05T08:05:00+08:00", "distance_km": 9.5})  # fmt: skip
        jsonl = lambda items: "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items).encode()  # noqa: E731
        push("gz-bike", "bike_trip", jsonl(rides), f"gz-bike-{today:%Y%m}.jsonl", "jsonl")
        push("gz-bike", "walking_steps", jsonl(walks), f"gz-steps-{today:%Y%m}.jsonl", "jsonl")

    if "ZS" in centres:
        rng = random.Random("metering-zs-forest")
        plots, surveys = [], []
        months = _months(today, MONTHS_BACK)
        for n in range(1, 13):
            village = VILLAGES[n % len(VILLAGES)]
            plot_id = f"ZS-WGS-{n:04d}"
            phone = resident_phone("ZS", n) if n <= 8 else ""
            area = round(rng.uniform(0.8, 6.0), 2)
            plots.append([plot_id, f"{village} {n}号户", phone, area, FOREST_TYPES[n % len(FOREST_TYPES)],
                          round(22.38 + rng.uniform(0, 0.12), 4), round(113.36 + rng.uniform(0, 0.1), 4)])  # fmt: skip
            activity = "afforestation" if n % 3 == 0 else "forest_management"
            surveys.append([f"{plot_id}-{months[0][0]:%Y%m}", plot_id, activity, months[0][0].isoformat(),
                            months[-1][1].isoformat(), area])  # fmt: skip
        push("zs-forestry", "forest_plot", _csv(
            ["record_id", "owner", "owner_phone", "area_ha", "forest_type", "latitude", "longitude"], plots
        ), "zs-plots.csv")  # fmt: skip
        push("zs-forestry", "forest_survey", _csv(
            ["record_id", "plot_id", "activity", "period_start", "period_end", "area_ha"], surveys
        ), f"zs-surveys-{today:%Y%m}.csv")  # fmt: skip

    return (
        f"{len(providers)} providers, {summary['batches']} batches processed "
        f"({summary['duplicates']} already loaded), {summary['quantified']} reductions, "
        f"{summary['rejected_rows']} rejected rows"
    )
