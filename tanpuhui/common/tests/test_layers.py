"""The apps are layers: an app imports only from itself and the apps below it, and never inside a function.

Order (bottom → top), as in docs/contributing.md and settings.INSTALLED_APPS:

    common → tenancy → accounts → methodology → metering → ledger → marketplace → funding → enterprises →
    registry → notifications → console → web

The check reads the source (``ast``), so it sees every import: module level, inside functions, under
``if TYPE_CHECKING``, relative or absolute, and lazy model references (``ForeignKey("app.Model")``).
Why a small AST check and not import-linter: we want two rules — the layer order AND "no import inside
a function" (the habit that hid the cycles) — and import-linter only expresses the first; this needs no
new dependency and its failures name the file and line.

A lower app that needs to react to a higher one offers a hook (a ``django.dispatch.Signal`` or a small
registry) that the higher app connects in its ``AppConfig.ready()``: ``metering.signals.reductions_quantified``
(ledger converts), ``marketplace.services.voucher_verified`` and ``marketplace.pools`` (funding pays and
reserves), ``ledger.check.extra_checks`` (funding's pool checks).

Allowed lazy imports: ``apps.py`` (an AppConfig module is imported before the models are loaded, so Django
requires it to import models and services inside ``ready()``). Everything else is in KNOWN below, each
naming the work that removes it; the test fails when an entry is no longer needed, so the list only shrinks.
Tests, conftest and migrations are not checked (tests may build fixtures from any app).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the tanpuhui package
LAYERS = [
    "common",
    "tenancy",
    "accounts",
    "methodology",
    "metering",
    "ledger",
    "marketplace",
    "funding",
    "enterprises",
    "registry",
    "pilots",
    "labels",
    "inventories",
    "notifications",
    "wechat",
    "console",
    "web",
]
FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}

# (file relative to tanpuhui/, imported module or "app.Model") → why it is still there and what removes it.
KNOWN: dict[tuple[str, str], str] = {
    # The audit log records which centre an action concerned (AuditEvent.centre → tenancy.Centre).
    ("common/models.py", "tenancy.Centre"): "AuditEvent.centre FK",
    # Schema-level: Offer.funding_pool and Voucher.funding_pool are foreign keys to funding.FundingPool.
    # Turning them around (funding owning an offer→pool link) is a migration of the vouchers table, not done
    # here; the api validates the FK and the demo creates the pools the demo offers point at.
    ("marketplace/models.py", "funding.FundingPool"): "Offer/Voucher.funding_pool FK",
    ("marketplace/api.py", "tanpuhui.funding.models"): "Offer.funding_pool FK lookup",
    ("marketplace/demo.py", "tanpuhui.funding"): "demo pools for Offer.funding_pool",
    ("marketplace/demo.py", "tanpuhui.funding.models"): "demo pools for Offer.funding_pool",
}


def _module(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(path: Path, root: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def _app_of(module: str) -> str | None:
    """The app a ``tanpuhui.<app>…`` module or an ``"<app>.Model"`` reference belongs to."""
    parts = module.split(".")
    if parts[0] == "tanpuhui" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    if len(parts) == 2 and parts[0] in LAYERS and parts[1][:1].isupper():
        return parts[0]
    return None


def references(path: Path, root: Path = ROOT) -> list[tuple[int, str, bool]]:
    """(line, imported module or "app.Model", inside a function) for every tanpuhui reference in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function.update(id(sub) for sub in ast.walk(node) if sub is not node)
    found = []
    for node in ast.walk(tree):
        lazy = id(node) in in_function
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, lazy) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, _target(path, root, node), lazy))
        elif (
            isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in FIELDS
        ):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and "." in first.value:
                found.append((node.lineno, first.value, False))
    return [(line, target, lazy) for line, target, lazy in found if _app_of(target)]


def _checked_files(root: Path = ROOT) -> list[Path]:
    skip = {"tests", "migrations"}
    return [
        p
        for app in LAYERS
        for p in sorted((root / app).rglob("*.py"))
        if not skip & set(p.relative_to(root).parts) and p.name != "conftest.py"
    ]


def violations(root: Path = ROOT) -> tuple[list[str], set[tuple[str, str]]]:
    """Every upward or lazy reference not in KNOWN, and the KNOWN entries that were used."""
    problems, used = [], set()
    for path in _checked_files(root):
        rel = path.relative_to(root).as_posix()
        app = rel.split("/")[0]
        for line, target, lazy in references(path, root):
            target_app = _app_of(target)
            upward = LAYERS.index(target_app) > LAYERS.index(app)
            lazy_forbidden = lazy and path.name != "apps.py"
            if not (upward or lazy_forbidden):
                continue
            if (rel, target) in KNOWN:
                used.add((rel, target))
                continue
            why = "imports the higher app" if upward else "imports inside a function"
            problems.append(f"tanpuhui/{rel}:{line} {why} {target_app} ({target})")
    return problems, used


def test_apps_import_only_downward_and_at_module_level():
    problems, _used = violations()
    assert not problems, (
        "Layer order (docs/contributing.md, 'Layers'): an app imports only from apps below it, at module "
        "level; a lower app offers a signal/hook instead.\n" + "\n".join(problems)
    )


def test_known_exceptions_are_still_needed():
    _problems, used = violations()
    stale = sorted(set(KNOWN) - used)
    assert not stale, f"Fixed — remove from KNOWN in {__file__}: {stale}"


def test_the_check_sees_upward_and_lazy_imports(tmp_path):
    """The check itself can fail: an upward import at module level, a lazy one, and a lazy FK are caught."""
    root = tmp_path / "tanpuhui"
    for app in LAYERS:
        (root / app).mkdir(parents=True)
    (root / "tenancy" / "bad.py").write_text(
        "from tanpuhui.ledger.models import Account\n"
        "def f():\n"
        "    from tanpuhui.accounts import models\n"
        "    from . import selectors\n"
    )
    (root / "metering" / "models.py").write_text(
        "from django.db import models\nclass A(models.Model):\n    x = models.ForeignKey('web.Page', on_delete=1)\n"
    )
    (root / "web" / "fine.py").write_text("from tanpuhui.common.errors import NotFound\n")
    (root / "web" / "apps.py").write_text("def ready():\n    from tanpuhui.web import signals\n")
    problems, _ = violations(root)
    assert problems == [
        "tanpuhui/tenancy/bad.py:1 imports the higher app ledger (tanpuhui.ledger.models)",
        "tanpuhui/tenancy/bad.py:3 imports the higher app accounts (tanpuhui.accounts)",
        "tanpuhui/tenancy/bad.py:4 imports inside a function tenancy (tanpuhui.tenancy)",
        "tanpuhui/metering/models.py:3 imports the higher app web (web.Page)",
    ]


def test_installed_apps_and_url_contexts_follow_the_layer_order():
    """One documented order: INSTALLED_APPS, the URL conf's CONTEXTS (which also orders the demo) and LAYERS."""
    from django.apps import apps

    from tanpuhui.urls import CONTEXTS

    installed = [c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("tanpuhui.")]
    assert installed == LAYERS
    assert [layer for layer in LAYERS if layer in CONTEXTS] == CONTEXTS
    assert set(LAYERS) - set(CONTEXTS) <= {"common"}
