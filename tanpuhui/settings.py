"""One settings module, configured from the environment (12-factor).

Defaults give a working embedded setup: SQLite file, in-process cache, filesystem task queue.
Production sets ``DJANGO_PRODUCTION=1``, ``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL``,
``ALLOWED_HOSTS``, ``IDENTITY_HASH_KEY`` (each also as ``NAME_FILE``); docs/deployment.md lists the rest.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
import structlog
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# File-aware: any setting below may come as NAME_FILE, the path of a file holding it (Docker and
# Kubernetes secrets, docs/deployment.md), instead of NAME in the environment.
env = environ.FileAwareEnv()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)
# Off unless asked for (DJANGO_DEBUG=1 while developing): the demo that `make run` serves shows the
# designed error pages, never Django's debug page with settings and SQL.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("TANPUHUI_TESTING", default=False)

_DEV_SECRET = "dev-only-not-secret-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY") if PRODUCTION else env.str("SECRET_KEY", default=_DEV_SECRET)
# Keyed hash for identity numbers (real-name verification); separate from SECRET_KEY so
# rotating sessions never orphans stored identity hashes.
IDENTITY_HASH_KEY = (
    env.str("IDENTITY_HASH_KEY") if PRODUCTION else env.str("IDENTITY_HASH_KEY", default="dev-identity-key")
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "tanpuhui.common.views.csrf_failure"  # the product's page, not Django's English one

INSTALLED_APPS = [
    "tanpuhui.console.admin_config.PlatformAdminConfig",  # Django admin: platform administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: no CDN
    "django_htmx",
    "django_fsm_log",  # who moved a label application from one status to another
    # Bounded contexts, in dependency order: each imports only the ones above it in this list
    # (tanpuhui/common/tests/test_layers.py; docs/contributing.md "Layers").
    "tanpuhui.common",
    "tanpuhui.tenancy",
    "tanpuhui.accounts",
    "tanpuhui.methodology",
    "tanpuhui.metering",
    "tanpuhui.ledger",
    "tanpuhui.marketplace",
    "tanpuhui.funding",
    "tanpuhui.enterprises",
    "tanpuhui.registry",
    "tanpuhui.pilots",
    "tanpuhui.labels",
    "tanpuhui.inventories",
    "tanpuhui.notifications",
    "tanpuhui.wechat",
    "tanpuhui.console",
    "tanpuhui.web",
]

MIDDLEWARE = [
    "tanpuhui.common.middleware.RequestIdMiddleware",  # first: every later log line carries the id
    "tanpuhui.common.middleware.RequestMetricsMiddleware",  # times everything below it (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tanpuhui.common.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tanpuhui.common.replica.ReplicaMiddleware",  # after authentication: session and user from the primary
    "tanpuhui.common.middleware.RequestContextMiddleware",  # the signed-in user in every log line
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# django-fsm-log keeps who moved a label application (integer key). The other workflows keep their own
# append-only history (pilot events, report events, inventory comments) and have UUID keys, which
# its log cannot hold: it must not log them.
DJANGO_FSM_LOG_IGNORED_MODELS = [
    "tanpuhui.pilots.models.Pilot",
    "tanpuhui.registry.models.MonitoringReport",
    "tanpuhui.inventories.models.Inventory",
]

ROOT_URLCONF = "tanpuhui.urls"
WSGI_APPLICATION = "tanpuhui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tanpuhui.common.context_processors.platform",
                "tanpuhui.common.context_processors.shell_navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tanpuhui.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + immediate transactions let the web process and the background worker share the file:
    # readers never wait, a writer waits up to the busy timeout for the one writer before it. The
    # batch pipeline commits every SQLITE_WINDOW_ROWS rows, so that wait stays short.
    # synchronous=NORMAL is safe under WAL (a power cut can lose the last commits, never corrupt).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    if _DB_PASSWORD := env.str("DATABASE_PASSWORD", default=""):  # a secret file, not in the URL
        DATABASES["default"]["PASSWORD"] = _DB_PASSWORD
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOLER", default=False):
        # PgBouncer in transaction mode in front (docs/deployment.md): a server connection is ours for
        # one transaction only, so no cursor may outlive it (Django's server-side cursors are WITH HOLD
        # outside a transaction) and psycopg must not prepare statements on it (PgBouncer 1.18 does
        # not carry them from one server connection to the next).
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    # A streaming replica for the read-only pages that tolerate a moment's lag (common/replica.py).
    # Tests mirror it onto the test database's name; nothing is ever migrated there.
    if _REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
        DATABASES["replica"] = {
            **env.db_url_config(_REPLICA_URL),
            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"MIRROR": "default"},
        }
        if _DB_PASSWORD and not DATABASES["replica"].get("PASSWORD"):
            DATABASES["replica"]["PASSWORD"] = _DB_PASSWORD
DATABASE_ROUTERS = ["tanpuhui.common.replica.ReplicaRouter"]
# A replica further behind than this serves no one; a writer reads from the primary until the replica
# has replayed their write, or for this long at most (the cookie's lifetime; then the lag bound rules).
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10.0)
REPLICA_READ_YOUR_WRITES_SECONDS = env.int("REPLICA_READ_YOUR_WRITES_SECONDS", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tanpuhui.accounts.backends.PhoneOrEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tanpuhui.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:profile"
LOGOUT_REDIRECT_URL = "web:home"
# Failed logins allowed per account (and per client address) before a cool-off.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Reverse proxies in front of the app (each appends to X-Forwarded-For); 0 = use REMOTE_ADDR.
# Client addresses feed the login lock-out and the audit log, so never set it higher than the truth.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its catalogue in <app>/locale
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Our own locale formats (tanpuhui/common/formats): Chinese figures with thousands separators.
FORMAT_MODULE_PATH = ["tanpuhui.common.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# The embedded setup serves uploaded media (offer pictures) itself; production leaves it to the
# proxy or object storage.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not PRODUCTION)
# Files (docs/operations.md "Files"): public media (`default`), providers' files (`uploads`: account
# numbers, never served by URL) and generated documents (`reports`: certificates) go through Django's
# storage API — local folders in the embedded setup, one S3-compatible bucket in production when
# AWS_STORAGE_BUCKET_NAME is set (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, endpoint
# from AWS_S3_ENDPOINT_URL for MinIO, Ceph or a Chinese cloud's OSS/COS; each storage a key prefix).
# Where provider files wait for processing (outside MEDIA_ROOT: they hold account numbers).
METERING_UPLOAD_DIR = env.path("METERING_UPLOAD_DIR", default=VAR_DIR / "provider-uploads")
REPORTS_DIR = env.path("REPORTS_DIR", default=VAR_DIR / "reports")
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
_STATIC_STORAGE = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if PRODUCTION
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STORAGES: dict[str, dict[str, Any]]
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = (
        env.str("AWS_S3_ENDPOINT_URL", default=env.str("S3_ENDPOINT_URL", default="")) or None
    )
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="") or None  # "path" for MinIO
    AWS_DEFAULT_ACL = None  # objects stay private; pages get short-lived signed links
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=3600)
    # Reading an object spools it to disk above this size; django-storages' default (0) keeps it all
    # in memory, which a 200 MiB provider file must never do.
    AWS_S3_MAX_MEMORY_SIZE = env.int("AWS_S3_MAX_MEMORY_SIZE", default=8 * 1024 * 1024)
    AWS_S3_FILE_OVERWRITE = False
    _S3 = "storages.backends.s3.S3Storage"
    STORAGES = {
        "default": {"BACKEND": _S3, "OPTIONS": {"location": "media"}},
        "uploads": {"BACKEND": _S3, "OPTIONS": {"location": "provider-uploads"}},
        "reports": {"BACKEND": _S3, "OPTIONS": {"location": "reports"}},
        "staticfiles": _STATIC_STORAGE,
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "uploads": {
            "BACKEND": "tanpuhui.common.files.SettingDirStorage",
            "OPTIONS": {"setting": "METERING_UPLOAD_DIR"},
        },
        "reports": {
            "BACKEND": "tanpuhui.common.files.SettingDirStorage",
            "OPTIONS": {"setting": "REPORTS_DIR"},
        },
        "staticfiles": _STATIC_STORAGE,
    }
# WhiteNoise serves static files in every setup (the demo runs with DEBUG off); the web app manifest
# needs its own type for phones to offer "add to home screen".
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
# Uploads above this go to a temporary file, never memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tanpuhui.accounts.authentication.BearerTokenAuthentication",
        "tanpuhui.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "tanpuhui.common.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "tanpuhui.common.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["tanpuhui.common.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tanpuhui.common.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "auth": "20/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tanpuhui API",
    "DESCRIPTION": "Carbon inclusion platform: residents, data providers, merchants, enterprises, staff.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "BindingKindEnum": "tanpuhui.accounts.models.Binding.Kind",
        "CentreKindEnum": "tanpuhui.tenancy.models.Centre.Kind",
        "BatchStatusEnum": "tanpuhui.metering.models.Batch.Status",
        "ReductionKindEnum": "tanpuhui.metering.models.Reduction.Kind",
        "ProviderKindEnum": "tanpuhui.metering.models.DataProvider.Kind",
        "RecordTypeEnum": "tanpuhui.metering.models.RecordType",
        "RetrofitKindEnum": "tanpuhui.enterprises.models.RetrofitProject.Kind",
        "RetrofitStatusEnum": "tanpuhui.enterprises.models.RetrofitProject.Status",
        "EnterpriseStatusEnum": "tanpuhui.enterprises.models.Enterprise.Status",
        "CreditBlockStatusEnum": "tanpuhui.registry.models.CreditBlock.Status",
        "CarbonProjectKindEnum": "tanpuhui.registry.models.CarbonProject.Kind",
        "RegistryMovementKindEnum": "tanpuhui.registry.models.Movement.Kind",
        "MonitoringReportStateEnum": "tanpuhui.registry.models.MonitoringReport.State",
        "RetirementPurposeEnum": "tanpuhui.registry.models.Retirement.Purpose",
        "PilotStatusEnum": "tanpuhui.pilots.models.Pilot.Status",
        "PilotLevelEnum": "tanpuhui.pilots.models.Pilot.Level",
        "PilotDocumentKindEnum": "tanpuhui.pilots.models.PilotDocument.Kind",
        "PilotMeasureKindEnum": "tanpuhui.pilots.models.Measure.Kind",
        "PilotIndicatorKindEnum": "tanpuhui.pilots.models.Indicator.Kind",
        "AppropriationSourceEnum": "tanpuhui.pilots.models.Appropriation.Source",
        "EmissionSourceEnum": "tanpuhui.pilots.models.EmissionReport.Source",
        "SourceEnum": "tanpuhui.funding.models.FundingPool.Source",  # its name before pilots added two
        "LifeCycleStageEnum": "tanpuhui.labels.models.Stage",
        "StageEnum": "tanpuhui.metering.models.Batch.Stage",  # keeps its name once labels added a stage
        "StudyStatusEnum": "tanpuhui.labels.models.Study.Status",
        "InventorySourceEnum": "tanpuhui.labels.models.InventoryLine.Source",
        "GhgInventoryStatusEnum": "tanpuhui.inventories.models.Inventory.Status",
        "ActivityCategoryEnum": "tanpuhui.inventories.catalogue.CATEGORY_CHOICES",
        "CategoryEnum": "tanpuhui.marketplace.models.Category",  # its name before inventories added categories
        "CampaignKindEnum": "tanpuhui.funding.models.Campaign.Kind",
        "CrowdfundingKindEnum": "tanpuhui.funding.models.CrowdfundingProject.Kind",
        "CrowdfundingStatusEnum": "tanpuhui.funding.models.CrowdfundingProject.Status",
        "CauseKindEnum": "tanpuhui.funding.models.Cause.Kind",
        "MerchantStatusEnum": "tanpuhui.marketplace.models.Merchant.Status",
        "OfferStatusEnum": "tanpuhui.marketplace.models.Offer.Status",
        "VoucherStatusEnum": "tanpuhui.marketplace.models.Voucher.Status",
    },
}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # acks_late: a task whose worker died is delivered again once this many seconds passed without
    # its acknowledgement (Redis' default is an hour). A task still running past it is delivered
    # twice, which every task tolerates (batches: their lease; conversion: its claims).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "queue"),
        "data_folder_out": str(VAR_DIR / "queue"),
        "processed_folder": str(VAR_DIR / "queue-processed"),
        "control_folder": str(VAR_DIR / "queue-control"),  # default would be ./control
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# On SQLite bulk work (batch stages, coin conversion) commits per window of this many rows (common.db).
SQLITE_WINDOW_ROWS = env.int("SQLITE_WINDOW_ROWS", default=20_000)
# A batch's worker holds a lease of this many seconds, renewed every third of it; a batch whose lease
# ran out is resumed by the next worker (beat re-queues it within a minute). Give up after N workers died.
METERING_BATCH_LEASE_SECONDS = env.int("METERING_BATCH_LEASE_SECONDS", default=120)
# A conversion run not posted whose heartbeat (every chunk, every posted group) is older than this lost
# its worker: ledger.finish_conversions posts it.
LEDGER_CONVERSION_LEASE_SECONDS = env.int("LEDGER_CONVERSION_LEASE_SECONDS", default=600)
METERING_BATCH_MAX_ATTEMPTS = env.int("METERING_BATCH_MAX_ATTEMPTS", default=5)
# Clean CSV readings and trips load in one pass on PostgreSQL (docs/metering.md); off → the staged pipeline.
METERING_SQL_FASTPATH = env.bool("METERING_SQL_FASTPATH", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}  # apps add their schedules in AppConfig.ready()

# WeChat channel (docs/wechat.md): WeChat's API host (the tests point it at a local fake), the OAuth
# page host, the key that seals the accounts' secrets (default: derived from SECRET_KEY), the phone-code
# sender (dotted path; the console sender logs the code), template messages per account per minute,
# and how far an inbound message's timestamp may be from now.
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
WECHAT_OPEN_BASE = env.str("WECHAT_OPEN_BASE", default="https://open.weixin.qq.com")
WECHAT_SITE_URL = env.str("WECHAT_SITE_URL", default="http://localhost:8000")  # links in template messages
WECHAT_SECRETS_KEY = env.str("WECHAT_SECRETS_KEY", default="")
WECHAT_CODE_SENDER = env.str("WECHAT_CODE_SENDER", default="tanpuhui.wechat.phonecodes.ConsoleSender")
WECHAT_SENDS_PER_MINUTE = env.int("WECHAT_SENDS_PER_MINUTE", default=600)
WECHAT_MAX_CLOCK_SKEW = env.int("WECHAT_MAX_CLOCK_SKEW", default=300)

# Security: strict under the production switch; `manage.py check --deploy` is clean there.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes and Prometheus call the app directly over HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())

# structlog renders every record — structlog's own loggers and plain ``logging.getLogger(__name__)`` ones —
# with the context bound for the current request (``request_id``, by common.middleware.RequestIdMiddleware).
# LOG_FORMAT=json for machine-read logs (one JSON object a line); the default is key=value text.
_LOG_PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso"),
]
structlog.configure(
    processors=[
        *_LOG_PRE_CHAIN,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structlog": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _LOG_PRE_CHAIN,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *(
                    [
                        structlog.processors.format_exc_info,
                        structlog.processors.JSONRenderer(ensure_ascii=False),
                    ]
                    if env.str("LOG_FORMAT", default="text") == "json"
                    else [structlog.dev.ConsoleRenderer(colors=False)]
                ),
            ],
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# One access line a request (route, status, ms, user, centre) — on in production, where gunicorn's own
# access log has no request id; `make run` has runserver's.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=PRODUCTION)
# /readyz reports the replica (a "replica" alias in DATABASES) as degraded beyond this lag.
READYZ_MAX_REPLICA_LAG_SECONDS = env.float("READYZ_MAX_REPLICA_LAG_SECONDS", default=30)

PLATFORM_NAME = _("Tanpuhui carbon inclusion")
