"""One Settings object, declared as a table: each setting once, with its MTB_* variable,
default and meaning. Precedence: command-line argument > environment variable > default.
README's settings table is checked against `SETTINGS` by a test, so the two cannot drift.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtb.errors import ConfigError
from mtb.resources import sample_cases_dir


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "mtb")


@dataclass(frozen=True)
class Setting:
    name: str  # attribute of Settings
    env: str  # environment variable
    default: Callable[[], str]  # computed when read, so tests can move HOME/XDG dirs
    parse: Callable[[str], Any]
    help: str
    shown_default: str  # as the README documents it


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("not a yes/no value")


def _megabases(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("not a positive size")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 1 <= value <= 86400:
        raise ValueError("not between 1 s and a day")
    return value


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _bytes(text: str) -> int:
    """A size: bytes, or with a binary unit (512M, 10G; KiB/MiB/GiB too)."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B").strip()
    unit = value[-1:] if value[-1:] in _UNITS and value[-1:] else ""
    number = float(value[:-1] if unit else value)
    if not number >= 0:
        raise ValueError("not a size")
    return int(number * _UNITS[unit])


def _positive(text: str) -> int:
    value = int(text.replace("_", "").strip())
    if value < 1:
        raise ValueError("not a positive number")
    return value


def _nonnegative(text: str) -> int:
    value = int(text.strip())
    if value < 0:
        raise ValueError("negative")
    return value


def _role_sizes(text: str) -> dict[str, int]:
    """'curator=512M,chair=512M,admin=2G': the largest upload each role may send (roles not
    named may not upload)."""
    sizes: dict[str, int] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        role, _, size = part.partition("=")
        if not size:
            raise ValueError("not role=size")
        sizes[role.strip().lower()] = _bytes(size)
    return sizes


def _workers(text: str) -> int:
    if text.strip().lower() in ("", "auto"):
        return max(2, os.cpu_count() or 1)
    return _positive(text)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("not a count")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError("not a fraction between 0 and 1")
    return value


def _language(text: str) -> str:
    value = text.strip().lower()
    if value not in ("de", "en"):
        raise ValueError("not de or en")
    return value


def _port(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise ValueError("not a TCP port")
    return port


_ROLES = ("viewer", "curator", "chair", "admin")  # mtb.board.ROLES (config imports no web)


def _issuer(text: str) -> str:
    """An issuer URL: https, or http on this machine only (a test provider)."""
    value = text.strip().rstrip("/")
    if value and not (value.startswith("https://") or value.startswith(
            ("http://127.0.0.1:", "http://localhost:", "http://[::1]:"))):
        raise ValueError("not an https URL")
    return value


def _role_names(text: str) -> dict[str, str]:
    """'mtb-chair=chair,mtb-curator=curator': the provider's role names for mtb's roles."""
    names: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        theirs, _, ours = part.rpartition("=")
        if not theirs.strip() or ours.strip().lower() not in _ROLES:
            raise ValueError("not provider-role=mtb-role")
        names[theirs.strip()] = ours.strip().lower()
    return names


def _optional_role(text: str) -> str:
    value = text.strip().lower()
    if value and value not in _ROLES:
        raise ValueError("not a role")
    return value


def _url_prefix(text: str) -> str:
    """'/mtb/' or 'mtb' -> '/mtb' (no trailing slash); '' or '/' -> '' (served at the root)."""
    value = text.strip().strip("/")
    if not value:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", value):
        raise ValueError("not a URL path")
    return f"/{value}"


def _log_format(text: str) -> str:
    value = text.strip().lower()
    if value not in ("json", "text"):
        raise ValueError("not json or text")
    return value


def _optional_port(text: str) -> int:
    return 0 if text.strip() in ("", "0") else _port(text)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir", "MTB_DATA_DIR", _default_data_dir, Path,
        "Where mtb keeps its knowledge-base index, HTTP cache and case store.",
        "$XDG_DATA_HOME/mtb or ~/.local/share/mtb",
    ),
    Setting(
        "cases_dir", "MTB_CASES_DIR", lambda: str(sample_cases_dir()), Path,
        "Folder of case folders (each with a case.toml) that the app lists.",
        "the bundled sample_cases/",
    ),
    Setting(
        "host", "MTB_HOST", lambda: "127.0.0.1", str,
        "Address the web app listens on; 127.0.0.1 keeps it on this machine.",
        "127.0.0.1",
    ),
    Setting(
        "port", "MTB_PORT", lambda: "8050", _port,
        "TCP port of the web app.",
        "8050",
    ),
    Setting(
        "live", "MTB_LIVE", lambda: "0", _flag,
        "1 asks the knowledge bases' web APIs (CIViC, ClinVar; OncoKB with a token) besides "
        "the bundled snapshot, which answers whenever they fail.",
        "0 (offline)",
    ),
    Setting(
        "oncokb_token", "MTB_ONCOKB_TOKEN", lambda: "", str,
        "Your site's OncoKB API token; OncoKB is asked only with it, only when live.",
        "(none)",
    ),
    Setting(
        "ncbi_api_key", "MTB_NCBI_API_KEY", lambda: "", str,
        "NCBI E-utilities API key for ClinVar (10 instead of 3 requests per second).",
        "(none)",
    ),
    Setting(
        "civic_api_url", "MTB_CIVIC_API_URL", lambda: "https://civicdb.org/api/graphql", str,
        "CIViC GraphQL endpoint (a mirror or a test server).",
        "https://civicdb.org/api/graphql",
    ),
    Setting(
        "civic_download_url", "MTB_CIVIC_DOWNLOAD_URL", lambda: "https://civicdb.org/downloads",
        str,
        "Where `mtb kb update` finds CIViC's monthly releases.",
        "https://civicdb.org/downloads",
    ),
    Setting(
        "clinvar_url", "MTB_CLINVAR_URL",
        lambda: "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", str,
        "NCBI E-utilities base URL for ClinVar.",
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    ),
    Setting(
        "oncokb_url", "MTB_ONCOKB_URL", lambda: "https://www.oncokb.org/api/v1", str,
        "OncoKB API base URL.",
        "https://www.oncokb.org/api/v1",
    ),
    Setting(
        "tmb_megabases", "MTB_TMB_MB", lambda: "30", _megabases,
        "Sequenced territory in megabases for TMB when no panel BED is given (the coding "
        "exome is about 30 Mb).",
        "30",
    ),
    Setting(
        "min_alt_reads", "MTB_MIN_ALT_READS", lambda: "5", _count,
        "A finding backed by fewer tumor reads carries a 'low support' flag on its card, in "
        "`mtb case show` and in the report (call quality: is the call real?).",
        "5",
    ),
    Setting(
        "min_depth", "MTB_MIN_DEPTH", lambda: "20", _count,
        "A finding whose position has fewer tumor reads in all carries a 'low support' flag.",
        "20",
    ),
    Setting(
        "min_vaf", "MTB_MIN_VAF", lambda: "0.05", _fraction,
        "A finding below this variant allele fraction carries a 'low VAF' flag (subclonal, or "
        "an artefact: check against the tumor content).",
        "0.05",
    ),
    Setting(
        "keep_filtered_mb", "MTB_KEEP_FILTERED_MB", lambda: "50", _megabases,
        "A case's VCF larger than this (MB on disk: a whole genome's unfiltered calls) keeps "
        "only its PASS records in the case; the filtered ones are counted, and `mtb ingest` "
        "still lists every record.",
        "50",
    ),
    Setting(
        "show_names", "MTB_SHOW_NAMES", lambda: "0", _flag,
        "1 shows patients' names from FHIR in the header; by default only the pseudonymous "
        "id, sex and age are shown (identifiers and addresses are never read).",
        "0 (no names)",
    ),
    Setting(
        "db_url", "MTB_DB_URL", lambda: "", str,
        "Database of curations, decisions, users and the audit log: a SQLAlchemy URL "
        "(postgresql+psycopg://user:password@host/db); empty means SQLite in the data dir.",
        "(SQLite: <MTB_DATA_DIR>/mtb.sqlite)",
    ),
    Setting(
        "secure_cookies", "MTB_SECURE_COOKIES", lambda: "0", _flag,
        "1 sends the session cookie over HTTPS only: set it when mtb is served behind TLS.",
        "0",
    ),
    Setting(
        "fhir_token", "MTB_FHIR_TOKEN", lambda: "", str,
        "Bearer token for `mtb case import-fhir` (the hospital's FHIR server).",
        "(none)",
    ),
    Setting(
        "redis_url", "MTB_REDIS_URL", lambda: "", str,
        "Job queue shared by several `mtb serve` and `mtb worker` processes: a Redis URL "
        "(redis://host:6379/0); empty means the embedded queue (SQLite in the data dir).",
        "(embedded: <MTB_DATA_DIR>/jobs.sqlite)",
    ),
    Setting(
        "job_lease", "MTB_JOB_LEASE", lambda: "60", _seconds,
        "Seconds a running job stays its worker's without a sign of life; then another worker "
        "takes it over (a worker killed mid-job loses nothing).",
        "60",
    ),
    Setting(
        "trials_dir", "MTB_TRIALS_DIR", lambda: "", str,
        "Folder of the site's trials, one CTML file (YAML or JSON) each: `mtb trials add` "
        "copies into it; a site may keep it in git.",
        "<MTB_DATA_DIR>/trials",
    ),
    Setting(
        "references_dir", "MTB_REFERENCES_DIR", lambda: "", str,
        "Folder of reference FASTA files (plain or bgzip, one per genome build) that a "
        "case.toml's `reference =` may name by file name: protein and cDNA changes of "
        "variants without VEP/SnpEff annotation. It may be read-only (the index is kept in "
        "the data dir).",
        "<MTB_DATA_DIR>/references",
    ),
    Setting(
        "ctgov_url", "MTB_CTGOV_URL", lambda: "https://clinicaltrials.gov/api/v2", str,
        "ClinicalTrials.gov API v2 base URL, asked for recruiting trials when live (MTB_LIVE=1).",
        "https://clinicaltrials.gov/api/v2",
    ),
    Setting(
        "ctgov_location", "MTB_CTGOV_LOCATION", lambda: "", str,
        "Where ClinicalTrials.gov trials must have a site (a country or city, e.g. Germany); "
        "empty means anywhere.",
        "(anywhere)",
    ),
    Setting(
        "max_records", "MTB_MAX_RECORDS", lambda: "10_000_000", _positive,
        "The most records one input file may hold (a VCF's records); a file with more is "
        "refused, naming it. The default admits a whole genome.",
        "10_000_000",
    ),
    Setting(
        "max_uncompressed", "MTB_MAX_UNCOMPRESSED", lambda: "10G", _bytes,
        "The most bytes one input file may expand to when decompressed (a gzip bomb stops "
        "there); a file that expands further is refused, naming it.",
        "10G",
    ),
    Setting(
        "workers", "MTB_WORKERS", lambda: "auto", _workers,
        "Server processes of `mtb serve` behind its one port (auto: one per CPU core, at "
        "least 2); 1 serves from one process.",
        "auto",
    ),
    Setting(
        "threads", "MTB_THREADS", lambda: "8", _positive,
        "Threads per server process (requests each process serves at once).",
        "8",
    ),
    Setting(
        "session_hours", "MTB_SESSION_HOURS", lambda: "8", _megabases,
        "A session ends this many hours after sign-in, however active (then sign in again).",
        "8",
    ),
    Setting(
        "session_idle_minutes", "MTB_SESSION_IDLE_MINUTES", lambda: "30", _megabases,
        "A session ends after this many minutes without a request.",
        "30",
    ),
    Setting(
        "upload_limits", "MTB_UPLOAD_LIMITS", lambda: "curator=512M,chair=512M,admin=512M",
        _role_sizes,
        "The largest upload (all files of one added case) per role, as role=size; roles not "
        "named (viewers) may not upload.",
        "curator=512M,chair=512M,admin=512M",
    ),
    Setting(
        "proxies", "MTB_PROXIES", lambda: "0", _nonnegative,
        "Reverse proxies in front of `mtb serve` whose X-Forwarded-For (the client address "
        "that sign-in throttling counts), -Proto, -Host and -Prefix are trusted; 0 when "
        "clients connect directly.",
        "0",
    ),
    Setting(
        "oidc_issuer", "MTB_OIDC_ISSUER", lambda: "", _issuer,
        "Single sign-on: the OpenID Connect provider's issuer URL (Keycloak: "
        "https://HOST/realms/REALM); empty means local accounts only.",
        "(none)",
    ),
    Setting(
        "oidc_client_id", "MTB_OIDC_CLIENT_ID", lambda: "mtb", str,
        "Single sign-on: mtb's client id at the provider.",
        "mtb",
    ),
    Setting(
        "oidc_client_secret", "MTB_OIDC_CLIENT_SECRET", lambda: "", str,
        "Single sign-on: mtb's client secret at the provider (a confidential client).",
        "(none)",
    ),
    Setting(
        "oidc_role_claim", "MTB_OIDC_ROLE_CLAIM", lambda: "roles", str,
        "Single sign-on: the claim holding the user's roles, a dotted path for a nested one "
        "(Keycloak's realm roles: realm_access.roles; a client's: "
        "resource_access.CLIENT.roles).",
        "roles",
    ),
    Setting(
        "oidc_roles", "MTB_OIDC_ROLES", lambda: "", _role_names,
        "Single sign-on: the provider's role names for mtb's roles, as provider-role=mtb-role "
        "(mtb-chair=chair,mtb-curator=curator); empty: the provider's roles are named viewer, "
        "curator, chair and admin. A user with several gets the highest.",
        "(the same names)",
    ),
    Setting(
        "oidc_default_role", "MTB_OIDC_DEFAULT_ROLE", lambda: "", _optional_role,
        "Single sign-on: the role of a user the provider gives none of the mapped roles; empty "
        "refuses them (everyone in the hospital's directory could otherwise read the cases).",
        "(refused)",
    ),
    Setting(
        "oidc_name_claim", "MTB_OIDC_NAME_CLAIM", lambda: "preferred_username", str,
        "Single sign-on: the claim that becomes the user's name in mtb (and its audit log).",
        "preferred_username",
    ),
    Setting(
        "oidc_scopes", "MTB_OIDC_SCOPES", lambda: "openid profile email", str,
        "Single sign-on: the scopes asked for (openid is always asked).",
        "openid profile email",
    ),
    Setting(
        "oidc_provider_name", "MTB_OIDC_PROVIDER_NAME", lambda: "single sign-on", str,
        "Single sign-on: the provider's name on the sign-in button (\"Sign in with ...\").",
        "single sign-on",
    ),
    Setting(
        "oidc_redirect_uri", "MTB_OIDC_REDIRECT_URI", lambda: "", str,
        "Single sign-on: the redirect URI registered at the provider; empty means "
        "<the address the browser used>/oidc/callback.",
        "(<base>/oidc/callback)",
    ),
    Setting(
        "local_sign_in", "MTB_LOCAL_SIGN_IN", lambda: "1", _flag,
        "0 turns off the name-and-password form when single sign-on is set up (the provider "
        "is then the only way in); without MTB_OIDC_ISSUER it is always on.",
        "1",
    ),
    Setting(
        "url_prefix", "MTB_URL_PREFIX", lambda: "", _url_prefix,
        "The path the hospital's reverse proxy serves mtb under (/mtb): every page, asset, "
        "redirect and endpoint carries it; empty when mtb is served at the root.",
        "(none: served at /)",
    ),
    Setting(
        "log_format", "MTB_LOG_FORMAT", lambda: "json", _log_format,
        "`mtb serve`'s logs: json (one object per line, for a log collector) or text.",
        "json",
    ),
    Setting(
        "log_file", "MTB_LOG_FILE", lambda: "", str,
        "A file for `mtb serve`'s logs (created 0600; reopened when logrotate moves it); "
        "empty means stderr.",
        "(stderr)",
    ),
    Setting(
        "metrics_token", "MTB_METRICS_TOKEN", lambda: "", str,
        "Bearer token that opens /metrics (Prometheus) to the site's monitoring; empty "
        "means /metrics answers 404.",
        "(none: no /metrics)",
    ),
    Setting(
        "metrics_port", "MTB_METRICS_PORT", lambda: "0", _optional_port,
        "A separate port (on MTB_HOST, no token) serving the Prometheus metrics, for a "
        "monitoring network the app's users cannot reach; 0 means none.",
        "0 (none)",
    ),
    Setting(
        "language", "MTB_LANGUAGE", lambda: "en", _language,
        "The language of `mtb report` (de or en; `--lang` overrides it) and of the web app "
        "for a browser that asks for neither (a user's DE/EN choice and the browser's "
        "language come first).",
        "en",
    ),
)


@dataclass(frozen=True)
class SupportThresholds:
    """Call quality the board rules flag findings by (mtb.board.call_quality)."""

    min_alt_reads: int = 5
    min_depth: int = 20
    min_vaf: float = 0.05


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    cases_dir: Path
    host: str
    port: int
    live: bool
    oncokb_token: str = field(repr=False)  # a secret: never printed
    ncbi_api_key: str = field(repr=False)
    civic_api_url: str
    civic_download_url: str
    clinvar_url: str
    oncokb_url: str
    tmb_megabases: float
    min_alt_reads: int
    min_depth: int
    min_vaf: float
    keep_filtered_mb: float
    show_names: bool
    db_url: str = field(repr=False)  # may hold a password
    secure_cookies: bool
    fhir_token: str = field(repr=False)
    redis_url: str = field(repr=False)  # may hold a password
    job_lease: float
    trials_dir: str
    references_dir: str
    ctgov_url: str
    ctgov_location: str
    max_records: int
    max_uncompressed: int
    workers: int
    threads: int
    session_hours: float
    session_idle_minutes: float
    upload_limits: dict[str, int]
    proxies: int
    oidc_issuer: str
    oidc_client_id: str
    oidc_client_secret: str = field(repr=False)  # a secret: never printed
    oidc_role_claim: str
    oidc_roles: dict[str, str]
    oidc_default_role: str
    oidc_name_claim: str
    oidc_scopes: str
    oidc_provider_name: str
    oidc_redirect_uri: str
    local_sign_in: bool
    url_prefix: str
    log_format: str
    log_file: str
    metrics_token: str = field(repr=False)  # a secret: never printed
    metrics_port: int
    language: str

    @property
    def trials_folder(self) -> Path:
        """MTB_TRIALS_DIR, or `trials` in the data dir."""
        return Path(self.trials_dir) if self.trials_dir else self.data_dir / "trials"

    @property
    def references_folder(self) -> Path:
        """MTB_REFERENCES_DIR, or `references` in the data dir."""
        return Path(self.references_dir) if self.references_dir else \
            self.data_dir / "references"

    @property
    def support(self) -> SupportThresholds:
        """The call-quality thresholds the board rules flag findings by."""
        return SupportThresholds(self.min_alt_reads, self.min_depth, self.min_vaf)

    @property
    def database_url(self) -> str:
        """MTB_DB_URL, or SQLite in the data dir (the embedded default)."""
        return self.db_url or f"sqlite:///{self.data_dir / 'mtb.sqlite'}"

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from overrides (CLI options), then MTB_* variables, then defaults."""
        environ = os.environ if environ is None else environ
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.name in overrides:
                raw, origin = overrides[setting.name], "option"
            elif setting.env in environ:
                raw, origin = environ[setting.env], setting.env
            else:
                raw, origin = setting.default(), "default"
            try:
                values[setting.name] = raw if not isinstance(raw, str) else setting.parse(raw)
            except (ValueError, TypeError):
                raise ConfigError(f"{setting.env} ({origin}) is not a valid value") from None
        return cls(**values)

