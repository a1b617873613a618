"""Typed, frozen settings read from the ``PORTAL_*`` environment variables
(``Settings.from_env()``); ``Settings.validate()`` refuses unsafe combinations (in production:
a generated or weak secret, demo data, cookies over plain HTTP)."""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from portal.env_values import whole_number
from portal.limit_settings import RateLimitSettings
from portal.metrics_settings import MetricsSettings
from portal.notice_settings import NoticeSettings
from portal.retention_settings import RetentionSettings
from portal.sso_settings import OidcSettings
from portal.target_settings import TargetSettings
from portal.webhook_settings import WebhookSettings

Environment = Literal["development", "production", "testing"]

MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "secret_key"  # noqa: S105 - a file name, not a secret
ATTACHMENT_KEYS_FILE_NAME = "attachment_keys"
AUDIT_KEYS_FILE_NAME = "audit_keys"
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")
KEY_BYTES = 32


class ConfigError(RuntimeError):
    """The settings are unsafe or inconsistent; the portal refuses to start."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    try:
        return whole_number(env, name, default)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _path(env: dict[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).resolve() if raw else None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    env: Environment = "development"
    data_dir: Path = Path("instance")
    database_url: str = ""
    secret_key: str = ""
    secret_generated: bool = False
    base_url: str = "http://127.0.0.1:5000"
    secure_cookies: bool = False
    smtp_url: str | None = None
    mail_from: str = "MLA Portal <no-reply@mla-portal.invalid>"
    demo_data: bool = False
    # Sessions and login
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    reauth_minutes: int = 10
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_rate_limit: int = 20
    login_rate_window_seconds: int = 300
    invitation_valid_hours: int = 72
    password_min_length: int = 12
    password_max_length: int = 256
    #: Submitters must set up a second factor (an authenticator app or a security key) before
    #: anything else after signing in; a pilot may relax it (staff always need one).
    submitter_2fa_required: bool = True
    # Uploads
    max_file_mb: int = 25
    max_request_mb: int = 100
    #: ``id:base64key,...`` (AES-256 keys; the first encrypts, all decrypt). Generated into a
    #: 0600 file under ``data_dir`` outside production.
    attachment_keys: str = field(default="", repr=False)
    attachment_keys_generated: bool = False
    upload_time_limit_seconds: int = 20
    upload_memory_limit_mb: int = 512
    max_pdf_pages: int = 2000
    #: Uploads of one user waiting for their check at once (more are refused until one ends).
    max_checks_in_flight: int = 3
    #: An image of an uploaded PDF that decodes to more than this is refused, and never carried
    #: into a package's reading copy (portal.attachments.pdf_images).
    max_image_mb: int = 256
    # Where attachment files are kept (portal.storage): ``directory`` (``<data_dir>``) or ``s3``
    storage: str = "directory"
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    #: ``AES256``, ``aws:kms`` (``s3_sse_kms_key_id``, else the bucket's AWS-managed key) or
    #: ``none``: the bucket's encryption, on top of the portal's own.
    s3_sse: str = "AES256"
    s3_sse_kms_key_id: str | None = None
    # Triage (OIA workspace)
    #: ``type=weight,...``: the weight of each assistance type in an attorney's caseload
    #: (types left out weigh 1; see portal.triage.caseload).
    triage_weights: str = ("subscriber_info=1,non_content=1,stored_content=2,real_time=3,"
                           "financial_records=2,witness=2,search_seizure=3,"
                           "service_of_documents=1,assets=3,other=1")
    #: Days a U.S. Attorney's Office is given to execute a referral (the default due date).
    triage_referral_due_days: int = 30
    #: Two uses of the same IP address are the same lead when this close in time (hours).
    triage_duplicate_ip_window_hours: int = 24
    #: Staff are reminded of a referral due within this many days (portal.notify).
    notify_referral_days: int = 3
    #: Staff are reminded of a request needed within this many days (its urgency date).
    notify_urgency_days: int = 5
    # Packages and the hand-off to OIA's case system (portal.packages)
    #: Where the BagIt packages are kept (default ``<data_dir>/packages``).
    package_dir: Path | None = None
    #: Temporary files of interrupted builds and hand-offs older than this are swept.
    package_temp_max_age_minutes: int = 60
    #: HTTP endpoint of the case system; unset: the drop folder ``forward_dir``.
    forward_url: str | None = None
    #: The drop folder (default ``<data_dir>/dropbox``).
    forward_dir: Path | None = None
    #: Hand packages over into the storage's ``dropbox/`` area instead (with S3: the bucket,
    #: which every worker on every machine reaches).
    forward_to_storage: bool = False
    forward_max_attempts: int = 8
    forward_backoff_base_seconds: float = 10.0
    forward_backoff_cap_seconds: float = 3600.0
    forward_timeout_seconds: float = 120.0
    #: A claimed hand-off not finished within this time is taken over by another forwarder.
    forward_lease_seconds: int = 900
    forward_poll_seconds: float = 5.0
    # Background jobs (portal.jobs; ``portal worker``)
    #: A claimed job not finished within this time is taken over by another worker.
    jobs_lease_seconds: int = 1800
    jobs_poll_seconds: float = 2.0
    jobs_backoff_base_seconds: float = 5.0
    jobs_backoff_cap_seconds: float = 3600.0
    #: Done jobs are deleted this many days after they ended (failed ones stay).
    jobs_keep_days: int = 7
    # The audit log (portal.audit)
    #: ``id:base64key,...`` (HMAC-SHA256 keys of the chain; the first signs new rows and
    #: checkpoints, all verify). Generated into a 0600 file under ``data_dir`` outside production.
    audit_keys: str = field(default="", repr=False)
    audit_keys_generated: bool = False
    #: Where ``portal audit checkpoint`` appends the signed head (default
    #: ``<data_dir>/audit-checkpoints``); off the database's host in production.
    audit_checkpoint_dir: Path | None = None
    #: An address each checkpoint is also e-mailed to (through the outbox); unset: none.
    audit_checkpoint_email: str | None = None
    audit_checkpoint_minutes: int = 60
    # Training (portal.training)
    #: Practice requests (TRAINING) are purged this many days after they were started.
    training_retention_days: int = 30
    # Hashing cost (tests lower it)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 2
    #: Single sign-on of staff through the Department's OpenID provider (``PORTAL_OIDC_*``;
    #: portal.sso_settings); off while the issuer is unset.
    oidc: OidcSettings = field(default_factory=OidcSettings)
    #: Form posts per account and per address, failed sign-ins per account (portal.limits).
    limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    #: The contacts of the accessibility statement and the privacy notice, and the system of
    #: records notice (``PORTAL_ACCESSIBILITY_CONTACT``, ``PORTAL_PRIVACY_*``).
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    #: Who may read ``/metrics`` (``PORTAL_METRICS_*``; portal.metrics_settings); off unset.
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    #: Days kept per kind of record (``PORTAL_RETENTION_*``; portal.retention).
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    #: OIA's service targets in working days (``PORTAL_TARGET_*``; portal.target_settings).
    targets: TargetSettings = field(default_factory=TargetSettings)
    #: Webhook retries and timeout (``PORTAL_WEBHOOK_*``; portal.webhook_settings).
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def local_addresses_allowed(self) -> bool:
        """Development and tests may send webhooks to loopback addresses and over plain HTTP."""
        return self.env in ("development", "testing")

    @property
    def packages_path(self) -> Path:
        """Where the packages live: ``PORTAL_PACKAGE_DIR`` or ``<data_dir>/packages``."""
        return Path(self.package_dir) if self.package_dir else Path(self.data_dir) / "packages"

    @property
    def dropbox_path(self) -> Path:
        """The drop folder: ``PORTAL_FORWARD_DIR`` or ``<data_dir>/dropbox``."""
        return Path(self.forward_dir) if self.forward_dir else Path(self.data_dir) / "dropbox"

    @property
    def audit_checkpoints_path(self) -> Path:
        """``PORTAL_AUDIT_CHECKPOINT_DIR`` or ``<data_dir>/audit-checkpoints``."""
        return (Path(self.audit_checkpoint_dir) if self.audit_checkpoint_dir
                else Path(self.data_dir) / "audit-checkpoints")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("PORTAL_ENV", "development")
        if mode not in ("development", "production", "testing"):
            raise ConfigError(f"PORTAL_ENV must be development or production, got {mode!r}")
        data_dir = Path(env.get("PORTAL_DATA_DIR", "instance")).resolve()
        database_url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}"
        secret = env.get("PORTAL_SECRET_KEY", "")
        generated = False
        if not secret and mode != "production":
            secret = _load_or_create_secret(data_dir)
            generated = True
        attachment_keys = env.get("PORTAL_ATTACHMENT_KEYS", "").strip()
        keys_generated = False
        if not attachment_keys and mode != "production":
            attachment_keys = load_or_create_attachment_keys(data_dir)
            keys_generated = True
        base_url = env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        audit_keys = env.get("PORTAL_AUDIT_KEYS", "").strip()
        audit_keys_generated = False
        if not audit_keys and mode != "production":
            audit_keys = load_or_create_audit_keys(data_dir)
            audit_keys_generated = True
        try:
            limits = RateLimitSettings.from_env(env)
            metrics = MetricsSettings.from_env(env)
            retention = RetentionSettings.from_env(env)
            targets = TargetSettings.from_env(env)
            webhooks = WebhookSettings.from_env(env)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        return cls(
            env=mode,  # type: ignore[arg-type]
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret,
            secret_generated=generated,
            base_url=base_url,
            secure_cookies=_bool(env, "PORTAL_SECURE_COOKIES", mode == "production"),
            smtp_url=env.get("PORTAL_SMTP_URL") or None,
            mail_from=env.get("PORTAL_MAIL_FROM", cls.mail_from),
            demo_data=_bool(env, "PORTAL_DEMO_DATA", False),
            session_idle_minutes=_int(env, "PORTAL_SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int(env, "PORTAL_SESSION_ABSOLUTE_HOURS", 12),
            reauth_minutes=_int(env, "PORTAL_REAUTH_MINUTES", 10),
            login_max_failures=_int(env, "PORTAL_LOGIN_MAX_FAILURES", 5),
            login_lockout_minutes=_int(env, "PORTAL_LOGIN_LOCKOUT_MINUTES", 15),
            login_rate_limit=_int(env, "PORTAL_LOGIN_RATE_LIMIT", 20),
            login_rate_window_seconds=_int(env, "PORTAL_LOGIN_RATE_WINDOW_SECONDS", 300),
            invitation_valid_hours=_int(env, "PORTAL_INVITATION_VALID_HOURS", 72),
            password_min_length=_int(env, "PORTAL_PASSWORD_MIN_LENGTH", 12),
            submitter_2fa_required=_bool(env, "PORTAL_SUBMITTER_2FA_REQUIRED", True),
            max_file_mb=_int(env, "PORTAL_MAX_FILE_MB", 25),
            max_request_mb=_int(env, "PORTAL_MAX_REQUEST_MB", 100),
            attachment_keys=attachment_keys,
            attachment_keys_generated=keys_generated,
            upload_time_limit_seconds=_int(env, "PORTAL_UPLOAD_TIME_LIMIT_SECONDS", 20),
            upload_memory_limit_mb=_int(env, "PORTAL_UPLOAD_MEMORY_LIMIT_MB", 512),
            max_pdf_pages=_int(env, "PORTAL_MAX_PDF_PAGES", 2000),
            max_checks_in_flight=_int(env, "PORTAL_MAX_CHECKS_IN_FLIGHT", 3),
            max_image_mb=_int(env, "PORTAL_MAX_IMAGE_MB", 256),
            storage=env.get("PORTAL_STORAGE", "").strip() or "directory",
            s3_bucket=env.get("PORTAL_S3_BUCKET", "").strip(),
            s3_prefix=env.get("PORTAL_S3_PREFIX", "").strip(),
            s3_endpoint_url=env.get("PORTAL_S3_ENDPOINT_URL") or None,
            s3_region=env.get("PORTAL_S3_REGION") or None,
            s3_access_key_id=env.get("PORTAL_S3_ACCESS_KEY_ID") or None,
            s3_secret_access_key=env.get("PORTAL_S3_SECRET_ACCESS_KEY") or None,
            s3_sse=env.get("PORTAL_S3_SSE", "").strip() or "AES256",
            s3_sse_kms_key_id=env.get("PORTAL_S3_SSE_KMS_KEY_ID") or None,
            triage_weights=env.get("PORTAL_TRIAGE_WEIGHTS") or cls.triage_weights,
            triage_referral_due_days=_int(env, "PORTAL_TRIAGE_REFERRAL_DUE_DAYS", 30),
            triage_duplicate_ip_window_hours=_int(
                env, "PORTAL_TRIAGE_DUPLICATE_IP_WINDOW_HOURS", 24),
            notify_referral_days=_int(env, "PORTAL_NOTIFY_REFERRAL_DAYS", 3),
            notify_urgency_days=_int(env, "PORTAL_NOTIFY_URGENCY_DAYS", 5),
            package_dir=_path(env, "PORTAL_PACKAGE_DIR"),
            package_temp_max_age_minutes=_int(env, "PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES", 60),
            forward_url=env.get("PORTAL_FORWARD_URL") or None,
            forward_dir=_path(env, "PORTAL_FORWARD_DIR"),
            forward_to_storage=_bool(env, "PORTAL_FORWARD_TO_STORAGE", False),
            forward_max_attempts=_int(env, "PORTAL_FORWARD_MAX_ATTEMPTS", 8),
            forward_backoff_base_seconds=_float(env, "PORTAL_FORWARD_BACKOFF_BASE_SECONDS", 10.0),
            forward_backoff_cap_seconds=_float(env, "PORTAL_FORWARD_BACKOFF_CAP_SECONDS", 3600.0),
            forward_timeout_seconds=_float(env, "PORTAL_FORWARD_TIMEOUT_SECONDS", 120.0),
            forward_lease_seconds=_int(env, "PORTAL_FORWARD_LEASE_SECONDS", 900),
            forward_poll_seconds=_float(env, "PORTAL_FORWARD_POLL_SECONDS", 5.0),
            jobs_lease_seconds=_int(env, "PORTAL_JOBS_LEASE_SECONDS", 1800),
            jobs_poll_seconds=_float(env, "PORTAL_JOBS_POLL_SECONDS", 2.0),
            jobs_backoff_base_seconds=_float(env, "PORTAL_JOBS_BACKOFF_BASE_SECONDS", 5.0),
            jobs_backoff_cap_seconds=_float(env, "PORTAL_JOBS_BACKOFF_CAP_SECONDS", 3600.0),
            jobs_keep_days=_int(env, "PORTAL_JOBS_KEEP_DAYS", 7),
            training_retention_days=_int(env, "PORTAL_TRAINING_RETENTION_DAYS", 30),
            audit_keys=audit_keys,
            audit_keys_generated=audit_keys_generated,
            audit_checkpoint_dir=_path(env, "PORTAL_AUDIT_CHECKPOINT_DIR"),
            audit_checkpoint_email=env.get("PORTAL_AUDIT_CHECKPOINT_EMAIL", "").strip() or None,
            audit_checkpoint_minutes=_int(env, "PORTAL_AUDIT_CHECKPOINT_MINUTES", 60),
            trusted_proxies=cls.parse_trusted_proxies(env.get("PORTAL_TRUSTED_PROXIES", "")),
            oidc=OidcSettings.from_env(env, base_url),
            limits=limits,
            notices=NoticeSettings.from_env(env),
            metrics=metrics,
            retention=retention,
            targets=targets,
            webhooks=webhooks,
        )

    # Reverse proxies. (A dataclass field may follow methods: this setting is kept in one
    # place, the field next to the parsing of its variable.)
    #: ``PORTAL_TRUSTED_PROXIES``: the addresses or networks (CIDR) of the reverse proxies in
    #: front of the portal, comma-separated. A request that connects from one of them comes
    #: from the last address of its X-Forwarded-For that is not itself a trusted proxy (see
    #: portal.web.proxies); any other request comes from its connecting address, whatever its
    #: headers say. Empty (the default): no proxy, the connecting address is the client.
    #: gunicorn.conf.py gives the same list to gunicorn's ``forwarded_allow_ips``.
    trusted_proxies: tuple[str, ...] = ()

    @staticmethod
    def parse_trusted_proxies(raw: str) -> tuple[str, ...]:
        """``PORTAL_TRUSTED_PROXIES`` as normalised networks (``10.0.0.5`` is ``10.0.0.5/32``)."""
        import ipaddress

        networks: list[str] = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError as exc:
                raise ConfigError("PORTAL_TRUSTED_PROXIES must list IP addresses or networks "
                                  f"(CIDR), comma-separated; got {item!r}") from exc
        return tuple(networks)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> None:
        """Refuse unsafe settings. Raises :class:`ConfigError` with every problem found."""
        problems: list[str] = []
        if not self.secret_key:
            problems.append("PORTAL_SECRET_KEY is not set")
        if self.is_production:
            if self.secret_generated:
                problems.append("production needs PORTAL_SECRET_KEY from the environment, "
                                "not a generated development key")
            if len(self.secret_key) < MIN_SECRET_LENGTH or len(set(self.secret_key)) < 10:
                problems.append(f"PORTAL_SECRET_KEY is weak: use at least {MIN_SECRET_LENGTH} "
                                "random characters")
            if not self.attachment_keys:
                problems.append("production needs PORTAL_ATTACHMENT_KEYS (id:base64key, the "
                                "first is the current key)")
            elif self.attachment_keys_generated:
                problems.append("production needs PORTAL_ATTACHMENT_KEYS from the environment, "
                                "not a generated development key")
            if not self.audit_keys:
                problems.append("production needs PORTAL_AUDIT_KEYS (id:base64key, the first "
                                "is the current key)")
            elif self.audit_keys_generated:
                problems.append("production needs PORTAL_AUDIT_KEYS from the environment, "
                                "not a generated development key")
            if self.demo_data:
                problems.append("PORTAL_DEMO_DATA must be off in production")
            if not self.secure_cookies:
                problems.append("production requires HTTPS cookies (PORTAL_SECURE_COOKIES=true)")
            if not self.base_url.startswith("https://"):
                problems.append("production requires an https:// PORTAL_BASE_URL")
        if self.session_idle_minutes <= 0:
            problems.append("PORTAL_SESSION_IDLE_MINUTES must be positive")
        if self.password_min_length < 8:
            problems.append("PORTAL_PASSWORD_MIN_LENGTH must be at least 8")
        if self.attachment_keys:
            try:
                parse_attachment_keys(self.attachment_keys)
            except ConfigError as exc:
                problems.append(str(exc))
        if self.audit_keys:
            try:
                parse_audit_keys(self.audit_keys)
            except ConfigError as exc:
                problems.append(str(exc))
        if self.audit_checkpoint_minutes <= 0:
            problems.append("PORTAL_AUDIT_CHECKPOINT_MINUTES must be positive")
        if self.audit_checkpoint_email is not None and \
                not re.fullmatch(r"[^@\s]+@[^@\s]+", self.audit_checkpoint_email):
            problems.append("PORTAL_AUDIT_CHECKPOINT_EMAIL must be an e-mail address")
        if self.upload_time_limit_seconds <= 0:
            problems.append("PORTAL_UPLOAD_TIME_LIMIT_SECONDS must be positive")
        if self.upload_memory_limit_mb < 128:
            problems.append("PORTAL_UPLOAD_MEMORY_LIMIT_MB must be at least 128")
        if self.max_pdf_pages <= 0:
            problems.append("PORTAL_MAX_PDF_PAGES must be positive")
        if self.max_checks_in_flight <= 0:
            problems.append("PORTAL_MAX_CHECKS_IN_FLIGHT must be positive")
        if self.max_image_mb <= 0:
            problems.append("PORTAL_MAX_IMAGE_MB must be positive")
        if self.storage not in ("directory", "s3"):
            problems.append(f"PORTAL_STORAGE must be directory or s3, got {self.storage!r}")
        if self.storage == "s3" and not self.s3_bucket:
            problems.append("PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET")
        if self.s3_sse not in ("AES256", "aws:kms", "none"):
            problems.append(f"PORTAL_S3_SSE must be AES256, aws:kms or none, got {self.s3_sse!r}")
        if self.s3_sse_kms_key_id and self.s3_sse != "aws:kms":
            problems.append("PORTAL_S3_SSE_KMS_KEY_ID needs PORTAL_S3_SSE=aws:kms")
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            problems.append("PORTAL_S3_ACCESS_KEY_ID and PORTAL_S3_SECRET_ACCESS_KEY go together")
        if self.s3_endpoint_url and not re.match(r"https?://", self.s3_endpoint_url):
            problems.append("PORTAL_S3_ENDPOINT_URL must be an http:// or https:// URL")
        if self.triage_referral_due_days <= 0:
            problems.append("PORTAL_TRIAGE_REFERRAL_DUE_DAYS must be positive")
        if self.triage_duplicate_ip_window_hours < 0:
            problems.append("PORTAL_TRIAGE_DUPLICATE_IP_WINDOW_HOURS must not be negative")
        if self.notify_referral_days < 0 or self.notify_urgency_days < 0:
            problems.append("PORTAL_NOTIFY_REFERRAL_DAYS and PORTAL_NOTIFY_URGENCY_DAYS must not "
                            "be negative")
        if not re.fullmatch(r"\s*(\w+\s*=\s*\d+(\.\d+)?\s*(,\s*|$))*", self.triage_weights):
            problems.append("PORTAL_TRIAGE_WEIGHTS must be type=weight,... (numbers)")
        if self.forward_max_attempts <= 0:
            problems.append("PORTAL_FORWARD_MAX_ATTEMPTS must be positive")
        if self.forward_backoff_base_seconds < 0 or \
                self.forward_backoff_cap_seconds < self.forward_backoff_base_seconds:
            problems.append("PORTAL_FORWARD_BACKOFF_BASE_SECONDS must not be negative nor above "
                            "PORTAL_FORWARD_BACKOFF_CAP_SECONDS")
        if self.forward_timeout_seconds <= 0 or \
                self.forward_lease_seconds <= 2 * self.forward_timeout_seconds:
            problems.append("PORTAL_FORWARD_LEASE_SECONDS must exceed twice "
                            "PORTAL_FORWARD_TIMEOUT_SECONDS (a hand-off must finish in its lease)")
        if self.jobs_lease_seconds <= 0 or self.jobs_poll_seconds <= 0 or \
                self.jobs_keep_days <= 0:
            problems.append("PORTAL_JOBS_LEASE_SECONDS, PORTAL_JOBS_POLL_SECONDS and "
                            "PORTAL_JOBS_KEEP_DAYS must be positive")
        if self.jobs_backoff_base_seconds < 0 or \
                self.jobs_backoff_cap_seconds < self.jobs_backoff_base_seconds:
            problems.append("PORTAL_JOBS_BACKOFF_BASE_SECONDS must not be negative nor above "
                            "PORTAL_JOBS_BACKOFF_CAP_SECONDS")
        if self.forward_url and self.forward_to_storage:
            problems.append("set PORTAL_FORWARD_URL or PORTAL_FORWARD_TO_STORAGE, not both")
        if self.forward_url and not re.match(r"https?://", self.forward_url):
            problems.append("PORTAL_FORWARD_URL must be an http:// or https:// URL")
        if self.package_temp_max_age_minutes < 0:
            problems.append("PORTAL_PACKAGE_TEMP_MAX_AGE_MINUTES must not be negative")
        if self.training_retention_days <= 0:
            problems.append("PORTAL_TRAINING_RETENTION_DAYS must be positive")
        problems.extend(self.oidc.problems(self.is_production))
        problems.extend(self.limits.problems())
        problems.extend(self.notices.problems())
        problems.extend(self.metrics.problems())
        problems.extend(self.retention.problems())
        problems.extend(self.targets.problems())
        problems.extend(self.webhooks.problems())
        if problems:
            raise ConfigError("refusing to start: " + "; ".join(problems))


def _load_or_create_secret(data_dir: Path) -> str:
    """Read the development secret, creating it (mode 0600) on first run."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret


def parse_keys(raw: str, variable: str, kind: str) -> list[tuple[str, bytes]]:
    """``id:base64key,...`` as (id, 32-byte key) pairs, the current key first.

    Raises :class:`ConfigError` naming ``variable`` and the problem (never the key material).
    """
    keys: list[tuple[str, bytes]] = []
    for position, item in enumerate(part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.fullmatch(key_id):
            raise ConfigError(f"{variable} entry {position + 1} must be id:base64key "
                              "with an id of 1-16 letters, digits, '.', '_' or '-'")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigError(f"{variable} key {key_id!r} is not base64") from exc
        if len(key) != KEY_BYTES:
            raise ConfigError(f"{variable} key {key_id!r} must be "
                              f"{KEY_BYTES} bytes ({kind}), not {len(key)}")
        if any(existing == key_id for existing, _ in keys):
            raise ConfigError(f"{variable} names key {key_id!r} twice")
        keys.append((key_id, key))
    if not keys:
        raise ConfigError(f"{variable} has no key")
    return keys


def parse_attachment_keys(raw: str) -> list[tuple[str, bytes]]:
    return parse_keys(raw, "PORTAL_ATTACHMENT_KEYS", "AES-256")


def parse_audit_keys(raw: str) -> list[tuple[str, bytes]]:
    return parse_keys(raw, "PORTAL_AUDIT_KEYS", "HMAC-SHA256")


def new_key_entry(key_id: str) -> str:
    """A fresh ``id:base64key`` entry (for key rotation and development)."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


new_attachment_key_entry = new_key_entry


def _load_or_create_keys(data_dir: Path, file_name: str) -> str:
    """Read a development key file, creating it with one key (mode 0600) on first run."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / file_name
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = new_key_entry("dev1")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created concurrently by another process
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def load_or_create_attachment_keys(data_dir: Path) -> str:
    """Read the development attachment keys, creating one key (mode 0600) on first run."""
    return _load_or_create_keys(data_dir, ATTACHMENT_KEYS_FILE_NAME)


def load_or_create_audit_keys(data_dir: Path) -> str:
    """Read the development audit keys, creating one key (mode 0600) on first run."""
    return _load_or_create_keys(data_dir, AUDIT_KEYS_FILE_NAME)
