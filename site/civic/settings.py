"""One frozen settings object, read from CIVIC_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The project folder: templates, static files and migrations live beside the package."""

VAR = Path(os.environ.get("CIVIC_VAR_DIR", ROOT / "var"))


class SettingsError(ValueError):
    """A CIVIC_* variable holds a value that cannot be used."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _networks(name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for part in os.environ.get(name, "").split(","):
        if not (part := part.strip()):
            continue
        try:
            networks.append(ip_network(part))
        except ValueError:
            raise SettingsError(
                f"{name} must list addresses or networks such as 10.0.0.2 or 10.0.0.0/24, "
                f"not {part!r}"
            ) from None
    return tuple(networks)


def default_database_url() -> str:
    return f"sqlite:///{VAR / 'civic.sqlite3'}"


def _secret_key(debug: bool) -> str:
    """CIVIC_SECRET_KEY, or a key kept in var/ so that a newcomer's sessions survive restarts."""
    key = os.environ.get("CIVIC_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise SettingsError("CIVIC_SECRET_KEY must be at least 32 characters")
        return key
    path = VAR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(default_factory=default_database_url)
    """CIVIC_DATABASE_URL: sqlite:///path/file.sqlite3 (default, under var/) or
    postgresql://user:password@host:port/name."""
    pool_size: int = 10
    """CIVIC_DB_POOL_SIZE: PostgreSQL connections each worker keeps open (0: none)."""

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite:")


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str
    """CIVIC_SECRET_KEY: signs CSRF tokens. Generated into var/secret_key when unset."""
    secure_cookies: bool = False
    """True when the public base URL is https: cookies are then sent over TLS only."""
    login_max_failures: int = 5
    """CIVIC_LOGIN_MAX_FAILURES: failed sign-ins allowed per phone number within the window."""
    login_max_failures_per_address: int = 20
    """CIVIC_LOGIN_MAX_FAILURES_PER_ADDRESS: failed sign-ins allowed per client address."""
    login_window_seconds: int = 15 * 60
    """CIVIC_LOGIN_WINDOW_SECONDS: how long failed sign-ins are remembered."""
    session_days: int = 30
    """CIVIC_SESSION_DAYS: how long a sign-in lasts."""
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    """CIVIC_TRUSTED_PROXIES: the reverse proxies in front of the site (addresses or networks,
    comma-separated) whose X-Forwarded-For names the client for per-address limits. Empty
    (default): nobody is trusted and the connecting address is the client's."""
    filings_per_hour_per_address: int = 10
    """CIVIC_FILINGS_PER_HOUR_PER_ADDRESS: cases a visitor (not signed in) may file in an hour,
    counted per client address."""
    filings_per_hour_per_person: int = 10
    """CIVIC_FILINGS_PER_HOUR_PER_PERSON: cases a signed-in resident may file in an hour,
    counted per person, whatever network they use."""
    filings_per_hour_for_others: int = 60
    """CIVIC_FILINGS_PER_HOUR_FOR_OTHERS: cases in an hour for a signed-in person who files for
    residents (staff, grid workers, building leaders), counted per person."""


@dataclass(frozen=True)
class CaseClocks:
    """The clocks of the suggestion box (defaults from the seeds: Fengtai and Cangshan)."""

    respond_hours: int = 12
    """CIVIC_CASE_RESPOND_HOURS: a first response (accepted or replied) is due this long after
    filing."""
    resolve_days: int = 1
    """CIVIC_CASE_RESOLVE_DAYS: feedback is due this long after filing when the community
    handles the case."""
    escalated_resolve_days: int = 3
    """CIVIC_CASE_ESCALATED_RESOLVE_DAYS: feedback is due this long after filing once the case
    has been escalated to the street or a department."""
    autoclose_days: int = 7
    """CIVIC_CASE_AUTOCLOSE_DAYS: a case the filer has not rated closes itself this long after
    feedback."""
    respond_warn_hours: int = 2
    """CIVIC_CASE_RESPOND_WARN_HOURS: the desk holding a case not yet responded to is told once
    this long before the response is due."""
    resolve_warn_hours: int = 6
    """CIVIC_CASE_RESOLVE_WARN_HOURS: the desk holding an open case is told once this long before
    its feedback is due (again after a reopening or an escalation moves the deadline)."""
    claim_warn_hours: int = 24
    """CIVIC_CLAIM_WARN_HOURS: a helper holding a 微心愿 claim is told once this long before the
    claim runs out (again for each new claim)."""


@dataclass(frozen=True)
class Settings:
    security: SecuritySettings
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    cases: CaseClocks = field(default_factory=CaseClocks)
    base_url: str = "http://127.0.0.1:8000"
    """CIVIC_BASE_URL: the public address, printed in QR codes on paper notices."""
    store_url: str = "database"
    """CIVIC_STORE_URL: where sessions and throttling counters live, shared by every worker:
    "database" (default), "redis://host:6379/0", or "memory" (one process only, for tests)."""
    debug: bool = False
    """CIVIC_DEBUG: show tracebacks instead of the Chinese error pages. Never in production."""
    count_queries: bool = False
    """CIVIC_COUNT_QUERIES: add an X-Query-Count header to each response (tests and bench)."""
    pdf_font: str = ""
    """CIVIC_PDF_FONT: a CJK font file embedded into PDF notices (default: found at start)."""
    sweep_seconds: int = 60
    """CIVIC_SWEEP_SECONDS: how often each worker applies the clocks (civic/sweeps.py); 0 leaves
    it to `civic sweep` alone."""
    page_cache_mb: int = 32
    """CIVIC_PAGE_CACHE_MB: memory each worker gives to the pages visitors are sent
    (web/page_cache.py); 0 turns the cache off."""

    @classmethod
    def from_env(cls) -> Settings:
        debug = _flag("CIVIC_DEBUG", False)
        base_url = _env("CIVIC_BASE_URL", cls.base_url).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError("CIVIC_BASE_URL must start with http:// or https://")
        database = DatabaseSettings(
            url=_env("CIVIC_DATABASE_URL", default_database_url()),
            pool_size=_int("CIVIC_DB_POOL_SIZE", DatabaseSettings.pool_size),
        )
        if not database.url.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise SettingsError("CIVIC_DATABASE_URL must be sqlite:///… or postgresql://…")
        store_url = _env("CIVIC_STORE_URL", cls.store_url)
        if store_url not in {"database", "memory"} and not store_url.startswith("redis://"):
            raise SettingsError("CIVIC_STORE_URL must be database, memory or redis://…")
        security = SecuritySettings(
            secret_key=_secret_key(debug),
            secure_cookies=base_url.startswith("https://"),
            login_max_failures=_int("CIVIC_LOGIN_MAX_FAILURES", 5, minimum=1),
            login_max_failures_per_address=_int(
                "CIVIC_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1
            ),
            login_window_seconds=_int("CIVIC_LOGIN_WINDOW_SECONDS", 15 * 60, minimum=1),
            session_days=_int("CIVIC_SESSION_DAYS", 30, minimum=1),
            trusted_proxies=_networks("CIVIC_TRUSTED_PROXIES"),
            filings_per_hour_per_address=_int("CIVIC_FILINGS_PER_HOUR_PER_ADDRESS", 10, minimum=1),
            filings_per_hour_per_person=_int("CIVIC_FILINGS_PER_HOUR_PER_PERSON", 10, minimum=1),
            filings_per_hour_for_others=_int("CIVIC_FILINGS_PER_HOUR_FOR_OTHERS", 60, minimum=1),
        )
        cases = CaseClocks(
            respond_hours=_int("CIVIC_CASE_RESPOND_HOURS", 12, minimum=1),
            resolve_days=_int("CIVIC_CASE_RESOLVE_DAYS", 1, minimum=1),
            escalated_resolve_days=_int("CIVIC_CASE_ESCALATED_RESOLVE_DAYS", 3, minimum=1),
            autoclose_days=_int("CIVIC_CASE_AUTOCLOSE_DAYS", 7, minimum=1),
            respond_warn_hours=_int("CIVIC_CASE_RESPOND_WARN_HOURS", 2, minimum=1),
            resolve_warn_hours=_int("CIVIC_CASE_RESOLVE_WARN_HOURS", 6, minimum=1),
            claim_warn_hours=_int("CIVIC_CLAIM_WARN_HOURS", 24, minimum=1),
        )
        return cls(
            security=security,
            database=database,
            cases=cases,
            base_url=base_url,
            store_url=store_url,
            debug=debug,
            count_queries=_flag("CIVIC_COUNT_QUERIES", False),
            pdf_font=_env("CIVIC_PDF_FONT", ""),
            sweep_seconds=_int("CIVIC_SWEEP_SECONDS", cls.sweep_seconds, minimum=0),
            page_cache_mb=_int("CIVIC_PAGE_CACHE_MB", cls.page_cache_mb, minimum=0),
        )
