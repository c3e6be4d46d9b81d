"""KeyProjects settings, read from environment variables."""

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from notifications.scheduler import PeriodicTask

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A development key only where nothing real is served: DEBUG on, the test suite, or the Makefile's
# development targets and the benchmarks (KEYPROJECTS_DEVELOPMENT=1). A server with DEBUG off and
# no SECRET_KEY refuses to start rather than sign sessions with a key that is public.
DEVELOPMENT = DEBUG or env_bool("KEYPROJECTS_DEVELOPMENT", False) or "pytest" in sys.modules
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "DEBUG 关闭（生产环境）时必须设置 SECRET_KEY 环境变量（50 位以上的随机字符串，"
            "可用 python -c 'import secrets; print(secrets.token_urlsafe(50))' 生成）；"
            "开发时请设置 DEBUG=1。"
        )
    SECRET_KEY = "insecure-development-key-change-me-" + "x" * 30
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for FORM_RENDERER (it loads templates through TEMPLATES).
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Installed whatever TASKS_BACKEND says, so that the schema (and a backup's migration state)
    # is the same with either backend; django-rq's migrations only create a permission.
    "django_rq",
    "django_tasks_rq",
    "axes",
    "org",
    "audit",
    "catalog",
    "projects",
    "plans",
    "progress",
    "exchange",
    "figures",
    "alerts",
    "notifications",
    "pipeline",
    "starts",
    "reviews",
    "financing",
    "portfolios",
    "elements",
    "approvals",
    "forecast",
    "quality",
    "evaluation",
    "problems",
    "supervision",
    "milestones",
    "service",
    "kiosk",
    "disclosure",
    "assessment",
    "bulletins",
    "demo",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "org.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "org.middleware.RememberSubtreesMiddleware",
    "org.middleware.IdleTimeoutMiddleware",
    "org.middleware.PasswordChangeRequiredMiddleware",
    "org.middleware.RolePageMiddleware",
    "org.middleware.QueryNoticeMiddleware",
    "axes.middleware.AxesMiddleware",
    "figures.middleware.RefreshAfterWriteMiddleware",
]

ROOT_URLCONF = "keyprojects.urls"
WSGI_APPLICATION = "keyprojects.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.navigation",
            ],
        },
    },
]
# Tabler's classes on every form widget; field markup from templates/forms/.
FORM_RENDERER = "lib.forms.TablerFormRenderer"

# SQLite by default; PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions keep concurrent writers from "database is locked"; the file is
    # read through a memory map (256 MB) rather than copied into the page cache read by read. The
    # same for a sqlite:/// DATABASE_URL as for the default file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA mmap_size=268435456;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a statement to machine code (JIT) once its estimated cost passes
    # jit_above_cost. The estimates of this application's statements (a subquery per row shown,
    # costed as if over every project) pass it while they run in milliseconds, and compiling took
    # 300–500 ms a page at 100,000 projects (docs/performance.md). `?options=-c jit=on` in
    # DATABASE_URL turns it back on.
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options["options"] = f"-c jit=off {database_options.get('options', '')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "lib.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "lib.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "lib.passwords.CommonPasswordValidator"},
    {"NAME": "lib.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after 5 failures for the same user name and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Idle session timeout, in minutes.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A monitor on the server itself asks for /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a reverse proxy that terminates HTTPS and always sets X-Forwarded-Proto (deploy/nginx.md):
# requests it marks https are secure, for the CSRF origin check and secure redirects.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# A server (`make serve`) serves what collectstatic wrote: names carrying a hash of the content, which
# WhiteNoise sends with a cache lifetime of ten years, each with a gzip copy. Development and the
# tests serve the source files as they are, found where they lie.
# Uploaded files (photos, attachments, bulletins, imported tables) are only ever reached through the
# "default" storage: MEDIA_ROOT on this machine, or a folder several web nodes share (NFS), or an
# S3-compatible store with MEDIA_STORAGE=storages.backends.s3.S3Storage and its options as JSON in
# MEDIA_STORAGE_OPTIONS (django-storages installed; docs/operations.md).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")
try:
    MEDIA_STORAGE_OPTIONS = json.loads(env_str("MEDIA_STORAGE_OPTIONS", "{}"))
except ValueError:
    MEDIA_STORAGE_OPTIONS = None
if not isinstance(MEDIA_STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured('MEDIA_STORAGE_OPTIONS 应为 JSON 对象，如 {"bucket_name": "keyprojects"}。')
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE, "OPTIONS": MEDIA_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "lib.staticfiles.ServerStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEVELOPMENT
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# An API token not used for this many days expires (org.tokens).
API_TOKEN_IDLE_DAYS = env_int("API_TOKEN_IDLE_DAYS", 30)
REST_FRAMEWORK = {
    # The token scheme first: a request without valid credentials gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "org.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "keyprojects.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "lib.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lib.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KeyProjects API",
    "DESCRIPTION": "重点项目推进平台 REST API。金额单位：万元。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the bundled sidecar package: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and the docs page describe every endpoint: signed-in users only, unless opened.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if env_bool("API_DOCS_PUBLIC", False)
        else "rest_framework.permissions.IsAuthenticated"
    ],
    # Projects and procedures both have a "status": name their enums after their choices.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "ProcedureStatusEnum": "projects.choices.ProcedureStatus",
    },
}

# Deployment facts shown in the top bar and in documents.
SITE_NAME = env_str("SITE_NAME", "重点项目推进平台")
REGION_NAME = env_str("REGION_NAME", "示范区")
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 20)
EXPORT_ROW_LIMIT = env_int("EXPORT_ROW_LIMIT", 200_000)

# Maps (一张图, coordinate picking): a tile URL template of the intranet map service, e.g. 天地图 or
# "https://tile.openstreetmap.org/{z}/{x}/{y}.png". Empty means no tiles: markers on a plain background.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# Where a map opens when no project has coordinates: "latitude,longitude" (WGS-84) and a zoom level.
MAP_CENTER = [float(part) for part in env_str("MAP_CENTER", "35.76,115.03").split(",")[:2]]
MAP_ZOOM = env_int("MAP_ZOOM", 11)


def tile_source(url: str) -> str:
    """The CSP source of a Leaflet tile URL template: "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    gives "https://*.tile.example.org"; a path on this site ("/tiles/...") gives "" ('self' covers it)."""
    parts = urlsplit(url)
    if not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    # A placeholder ({s}, t{s}) can only become CSP's wildcard, and only as the leftmost labels.
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    host = ".".join(labels)
    return f"{parts.scheme}://{host}" if parts.scheme else host


# Content-Security-Policy (django-csp): every asset is served by the application itself, so
# scripts, fonts and connections are 'self' only; no inline script, no eval (htmx is told not to
# evaluate either: allowEval is off in base.html). Images also from data: (Tabler's CSS draws its
# form icons as data: SVGs; the pages' empty favicon is "data:,") and from the map tile server.
# style-src allows 'unsafe-inline': templates set computed inline styles (unit tree indentation,
# milestone colours, chart heights), ECharts writes its tooltips and Leaflet our popups as markup
# with style attributes, and htmx adds its indicator <style>. A nonce is offered to scripts only for
# the Swagger UI page, whose initialisation is drf-spectacular's inline script
# (templates/drf_spectacular/swagger_ui.html); other pages never ask for one, so never get one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", *filter(None, [tile_source(MAP_TILE_URL)])],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Big screen (大屏): how often its figures are fetched again and how long each panel stays, in seconds.
BIGSCREEN_REFRESH_SECONDS = env_int("BIGSCREEN_REFRESH_SECONDS", 300)
BIGSCREEN_ROTATE_SECONDS = env_int("BIGSCREEN_ROTATE_SECONDS", 20)
# The project cards' panel shows this many pages of six cards each time it comes round, going on
# from where it stopped, so that every project of the screen appears in turn.
BIGSCREEN_CARD_PAGES_PER_TURN = env_int("BIGSCREEN_CARD_PAGES_PER_TURN", 3)

# Reporting (月报): the deadline is a day of the month ("day", default the 25th) or a number of
# working days after the period ends ("workdays").
REPORT_DEADLINE_RULE = env_str("REPORT_DEADLINE_RULE", "day")
REPORT_DEADLINE_DAY = env_int("REPORT_DEADLINE_DAY", 25)
REPORT_DEADLINE_WORKDAYS = env_int("REPORT_DEADLINE_WORKDAYS", 5)
# Collective starts (集中开工): months after the event by which each project must show substantive
# construction (a report with an amount, or an actual start date).
COLLECTIVE_START_CHECK_MONTHS = env_int("COLLECTIVE_START_CHECK_MONTHS", 2)
# Special bonds (专项债): spent within N months of issue at a linear pace; behind that pace by more
# than the yellow points is yellow, by more than the red points red.
SPECIAL_BOND_SPEND_MONTHS = env_int("SPECIAL_BOND_SPEND_MONTHS", 6)
SPECIAL_BOND_YELLOW_POINTS = env_int("SPECIAL_BOND_YELLOW_POINTS", 0)
SPECIAL_BOND_RED_POINTS = env_int("SPECIAL_BOND_RED_POINTS", 30)
# 年度目标预测 (forecast): a project is at risk when its forecast completion rate is below this (%);
# the 年度目标风险 warning is raised from this month of the year on; a project that added nothing for
# this many months is taken as stalled; how many past years give the monthly profiles.
FORECAST_RISK_THRESHOLD = env_int("FORECAST_RISK_THRESHOLD", 90)
FORECAST_RULE_FROM_MONTH = env_int("FORECAST_RULE_FROM_MONTH", 6)
FORECAST_STALL_MONTHS = env_int("FORECAST_STALL_MONTHS", 3)
FORECAST_HISTORY_YEARS = env_int("FORECAST_HISTORY_YEARS", 5)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_MB", 20) * 1024 * 1024
# Refused before decoding: a small PNG can claim 144 megapixels and cost 800 MB to open.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_MEGAPIXELS", 50) * 1_000_000
THUMBNAIL_SIZE = (480, 360)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 30) * 1024 * 1024
# Largest uncompressed size of an uploaded workbook: guards against zip bombs.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 400) * 1024 * 1024
# Largest XML of one row (or shared string) of an uploaded workbook: guards against rows that never end.
IMPORT_MAX_ROW_BYTES = env_int("IMPORT_MAX_ROW_MB", 4) * 1024 * 1024
# An uploaded table left 待确认 (previewed, neither confirmed nor discarded) this long becomes 已过期.
IMPORT_PREVIEW_EXPIRE_HOURS = env_int("IMPORT_PREVIEW_EXPIRE_HOURS", 72)
# Attachments of problems and supervision replies: size limit and the file types accepted.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 1024 * 1024
ATTACHMENT_EXTENSIONS = env_list("ATTACHMENT_EXTENSIONS", "pdf,doc,docx,xls,xlsx,jpg,jpeg,png,txt")
# Overdue problems (问题超期) and milestones (节点超期): days past the deadline before yellow turns red.
PROBLEM_OVERDUE_RED_DAYS = env_int("PROBLEM_OVERDUE_RED_DAYS", 15)
# 督办通知单 and 议定事项 given to a unit: days past the deadline before their warnings turn red
# (the rules' defaults, edited on /alerts/rules/), and the days before a deadline on which the unit
# is reminded.
NOTICE_OVERDUE_RED_DAYS = env_int("NOTICE_OVERDUE_RED_DAYS", 7)
MATTER_OVERDUE_RED_DAYS = env_int("MATTER_OVERDUE_RED_DAYS", 15)
DEADLINE_REMINDER_DAYS_BEFORE = [int(day) for day in env_list("DEADLINE_REMINDER_DAYS_BEFORE", "3,1")]
# Which 销号 by a responsible unit wait for the coordinator's office to confirm them (待确认销号):
# "escalated" those of problems once escalated to a meeting (上报), "all" every one, "none" none.
PROBLEM_RESOLVE_NEEDS_CONFIRMATION = env_str("PROBLEM_RESOLVE_NEEDS_CONFIRMATION", "escalated")
if PROBLEM_RESOLVE_NEEDS_CONFIRMATION not in ("escalated", "all", "none"):
    raise ImproperlyConfigured(
        "PROBLEM_RESOLVE_NEEDS_CONFIRMATION 只能是 escalated（上报过调度会的问题销号须重点办确认）、"
        "all（所有问题销号均须确认）或 none（不需确认）。"
    )
MILESTONE_OVERDUE_RED_DAYS = env_int("MILESTONE_OVERDUE_RED_DAYS", 30)
# The office that issues supervision notices (督办通知单), as printed under the notice.
SUPERVISION_OFFICE = env_str("SUPERVISION_OFFICE", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Public disclosure (重点建设项目信息公开, /public/): how long browsers and proxies may keep a page,
# in seconds. The OC4IDS export's project identifier prefix, "oc4ids-" and six characters registered
# with the Open Contracting Partnership (docs/oc4ids.md), its publisher and the licence of the data.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)
OC4IDS_PREFIX = env_str("OC4IDS_PREFIX", "oc4ids-xxxxxx")
OC4IDS_PUBLISHER = env_str("OC4IDS_PUBLISHER", "")
OC4IDS_LICENSE = env_str("OC4IDS_LICENSE", "")

# Bulletins: the issuing office and the addressees of the monthly notice.
BULLETIN_ISSUER = env_str("BULLETIN_ISSUER", f"{REGION_NAME}重点项目推进领导小组办公室")
BULLETIN_RECIPIENTS = env_str("BULLETIN_RECIPIENTS", "各乡镇人民政府、街道办事处，区直各有关单位：")
# 红头 (GB/T 9704 版头) of the monthly notice and the annual report: on or off (off to print on
# letterhead paper), the 发文机关标志 printed in red, and the 机关代字 of the 发文字号 given on
# publishing ("示重点办" gives 示重点办〔2026〕3号; empty: typed by hand, or none).
BULLETIN_RED_HEAD = env_bool("BULLETIN_RED_HEAD", True)
BULLETIN_HEADER = env_str("BULLETIN_HEADER", f"{BULLETIN_ISSUER}文件")
BULLETIN_DOC_PREFIX = env_str("BULLETIN_DOC_PREFIX", "")
# The font file the bulletins' charts are drawn with; empty means the Chinese font fontconfig finds
# (fonts-noto-cjk). A chart whose text the font cannot show is refused, never drawn as boxes.
CHART_FONT_PATH = env_str("CHART_FONT_PATH", "")

# Background work through the django.tasks API (the django-tasks backport on Django 5.2).
# TASKS_BACKEND=db (the default): the database backend keeps queued tasks in a table that
# `manage.py db_worker` works through, so one machine needs nothing more. TASKS_BACKEND=rq: the
# tasks are queued on Redis (REDIS_URL) and run by RQ workers on any number of machines
# (django-tasks-rq; its queues are django-rq's RQ_QUEUES). A dotted path names another backend.
# `manage.py run_worker` starts the worker of the configured backend; `manage.py run_scheduler`
# queues the periodic ones.
TASKS_BACKEND = env_str("TASKS_BACKEND", "db")
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
if TASKS_BACKEND not in TASK_BACKENDS and "." not in TASKS_BACKEND:
    raise ImproperlyConfigured(
        "TASKS_BACKEND 只能是 db（任务队列在数据库中，由 db_worker 执行）、"
        "rq（任务队列在 Redis 中，由 RQ 工作进程执行，须设置 REDIS_URL）或后端类的完整路径。"
    )
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": ["default"],
    }
}
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# An RQ job may run as long as the longest task: a backup of a large database, a bulletin's charts.
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT_SECONDS", 3600)}}
# Warnings (红黄灯预警): the daily scan's local hour. Reporting reminders (报送提醒): the hour, and
# the days before and after a deadline on which they go out.
ALERT_SCAN_HOUR = env_int("ALERT_SCAN_HOUR", 6)
REPORT_REMINDER_HOUR = env_int("REPORT_REMINDER_HOUR", 9)
REPORT_REMINDER_DAYS_BEFORE = [int(day) for day in env_list("REPORT_REMINDER_DAYS_BEFORE", "3,1")]
REPORT_REMINDER_DAYS_AFTER = [int(day) for day in env_list("REPORT_REMINDER_DAYS_AFTER", "1")]
# 每周简报 (weekly digest) to the leaders and the coordinator: the weekday (1 = Monday … 7 = Sunday)
# and the local hour it goes out.
WEEKLY_DIGEST_WEEKDAY = env_int("WEEKLY_DIGEST_WEEKDAY", 1)
WEEKLY_DIGEST_HOUR = env_int("WEEKLY_DIGEST_HOUR", 8)
# Data quality (数据质量): the daily scan's hour; a month is flagged as far above the project's
# usual months when its modified z-score (median and MAD of the months with an amount among the
# last QUALITY_HISTORY_MONTHS, at least QUALITY_MIN_HISTORY_MONTHS of them) exceeds
# QUALITY_OUTLIER_Z (3.5, Iglewicz & Hoaglin); a photo is flagged when taken farther than
# QUALITY_PHOTO_MAX_DISTANCE_KM from the project's coordinates.
QUALITY_SCAN_HOUR = env_int("QUALITY_SCAN_HOUR", 7)
QUALITY_OUTLIER_Z = float(env_str("QUALITY_OUTLIER_Z", "3.5"))
QUALITY_HISTORY_MONTHS = env_int("QUALITY_HISTORY_MONTHS", 24)
QUALITY_MIN_HISTORY_MONTHS = env_int("QUALITY_MIN_HISTORY_MONTHS", 6)
QUALITY_PHOTO_MAX_DISTANCE_KM = float(env_str("QUALITY_PHOTO_MAX_DISTANCE_KM", "3"))
# Backups (备份): `manage.py backup FILE` / `restore FILE`; the scheduled one writes an archive a day
# at BACKUP_HOUR into BACKUP_DIR (a folder of the machine that runs the task worker, best on another
# disk or copied off the machine) and keeps the last BACKUP_KEEP.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
BACKUP_HOUR = env_int("BACKUP_HOUR", 2)
PERIODIC_TASKS: list["PeriodicTask"] = [
    {"name": "alerts.daily_scan", "task": "alerts.tasks.scan_alerts", "hour": ALERT_SCAN_HOUR},
    # 数据质量: the month before and the month under way, after the night's reports and warnings.
    {"name": "quality.daily_scan", "task": "quality.tasks.scan_data_quality", "hour": QUALITY_SCAN_HOUR},
    {
        "name": "notifications.report_reminders",
        "task": "progress.tasks.send_report_reminders",
        "hour": REPORT_REMINDER_HOUR,
    },
    # 交办: reminders before the deadlines of 督办通知单 and 议定事项.
    {
        "name": "supervision.notice_reminders",
        "task": "supervision.tasks.send_notice_reminders",
        "hour": REPORT_REMINDER_HOUR,
    },
    {
        "name": "problems.matter_reminders",
        "task": "problems.tasks.send_matter_reminders",
        "hour": REPORT_REMINDER_HOUR,
    },
    {
        "name": "bulletins.weekly_digest",
        "task": "bulletins.tasks.send_weekly_digest",
        "weekday": WEEKLY_DIGEST_WEEKDAY,
        "hour": WEEKLY_DIGEST_HOUR,
    },
    # Deferred (quiet hours) and retried deliveries.
    {
        "name": "notifications.deliver",
        "task": "notifications.tasks.deliver_notifications",
        "every_seconds": 60,
    },
    # The figures' summary rebuilt after writes, so that a leader's page seldom waits for it.
    {"name": "figures.refresh", "task": "figures.tasks.refresh_figures", "every_seconds": 60},
    # 分包领导's cells, and 考核's warnings in them, after writes and warnings scans the same way.
    {"name": "service.refresh", "task": "service.tasks.refresh_leader_cells", "every_seconds": 60},
    # Uploaded tables left 待确认 past IMPORT_PREVIEW_EXPIRE_HOURS become 已过期.
    {
        "name": "exchange.expire_previews",
        "task": "exchange.tasks.expire_import_previews",
        "every_seconds": 3600,
    },
    # 每日备份 to BACKUP_DIR, the last BACKUP_KEEP kept.
    {"name": "backups.daily", "task": "backups.tasks.daily_backup", "hour": BACKUP_HOUR},
]

# Notifications: the inbox always; outside channels per user (default below), with quiet hours
# ("22:00-07:00", empty for none), de-duplication window, hourly limit per user and retries.
SITE_URL = env_str("SITE_URL", "")  # e.g. "https://xm.example.gov.cn", for links in messages
NOTIFY_DEFAULT_CHANNELS = env_list("NOTIFY_DEFAULT_CHANNELS", "sms")
NOTIFY_DEFAULT_QUIET_HOURS = env_str("NOTIFY_DEFAULT_QUIET_HOURS", "22:00-07:00")
NOTIFY_DEDUP_HOURS = env_int("NOTIFY_DEDUP_HOURS", 24)
NOTIFY_RATE_LIMIT_PER_HOUR = env_int("NOTIFY_RATE_LIMIT_PER_HOUR", 20)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_HTTP_TIMEOUT_SECONDS = env_int("NOTIFY_HTTP_TIMEOUT_SECONDS", 10)
# Group robots (企业微信 / 钉钉): the webhook URLs, and DingTalk's signing secret (加签).
NOTIFY_WECOM_WEBHOOK = env_str("NOTIFY_WECOM_WEBHOOK", "")
NOTIFY_DINGTALK_WEBHOOK = env_str("NOTIFY_DINGTALK_WEBHOOK", "")
NOTIFY_DINGTALK_SECRET = env_str("NOTIFY_DINGTALK_SECRET", "")
# SMS: the gateway class (notifications.channels.AliyunSmsGateway sends through 阿里云短信; empty: no
# SMS is configured and SMS deliveries are recorded 未发送（未配置）), its keys, signature name and
# the approved template of each kind of message.
SMS_BACKEND = env_str("SMS_BACKEND", "")
SMS_ENDPOINT = env_str("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_REGION = env_str("SMS_REGION", "cn-hangzhou")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")
SMS_TEMPLATES = {
    "alert": env_str("SMS_TEMPLATE_ALERT", ""),
    "reminder": env_str("SMS_TEMPLATE_REMINDER", ""),
    "returned": env_str("SMS_TEMPLATE_RETURNED", ""),
    "system": env_str("SMS_TEMPLATE_SYSTEM", ""),
}
SMS_PARAM_MAX_CHARS = env_int("SMS_PARAM_MAX_CHARS", 35)
# E-mail (SMTP).
# Without EMAIL_HOST no e-mail is sent: e-mail deliveries are recorded 未发送（未配置）.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
