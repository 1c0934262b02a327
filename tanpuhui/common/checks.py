"""Deployment checks of our own, run by ``manage.py check --deploy`` next to Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    problems = []
    if not settings.PRODUCTION:
        return problems
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        problems.append(
            Warning(
                "The cache is per-process: login lock-out counters are not shared between workers.",
                hint="Set REDIS_URL in production.",
                id="tanpuhui.W001",
            )
        )
    if len(settings.IDENTITY_HASH_KEY) < 32:
        problems.append(
            Warning(
                "IDENTITY_HASH_KEY is shorter than 32 characters: ID-number fingerprints could be brute-forced.",
                hint="Use a long random value and keep it out of the code.",
                id="tanpuhui.W002",
            )
        )
    return problems
