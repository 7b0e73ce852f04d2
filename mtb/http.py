"""The one HTTP client of mtb: live knowledge sources (CIViC, ClinVar, OncoKB), `mtb kb update`
and FHIR server import.

Why one client: every live source needs the same four things, and getting them subtly different
per source is how tools end up hanging on a dead API or hammering NCBI.

* Explicit timeouts (connect, read) on every request: the board must never wait on a socket.
* Retries with backoff on connection errors and 429/502/503/504 (urllib3 `Retry`), honouring
  `Retry-After` up to `RETRY_AFTER_CAP` seconds. Read timeouts are not retried: a slow server
  stays slow, and the snapshot answers instead.
* An on-disk JSON cache (default TTL 7 days) so a case is annotated again without the network
  and APIs see each question once a week at most. Entries hold only the status, the parsed body
  and when it was fetched, never request headers (so never a token), and are written atomically
  (temporary file + `os.replace`) so a crash cannot leave half an entry.
* Errors as `SourceError` with a short message naming the host and the problem ("timed out",
  "HTTP 401", "invalid JSON"): never the URL (its query can hold an API key) and never headers.

`offline=True` turns every call into `SourceError("offline")` before any socket is opened.

Licensed data: OncoKB's terms forbid redistribution, so its answers may only be kept in this
cache, which lives under the user's data dir (`HttpClient.in_data_dir`), is private (0700/0600)
and is never exported.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mtb import __version__
from mtb.atomic import atomic_file, atomic_write
from mtb.errors import HttpStatusError, SourceError

CACHE_SUBDIR = "http-cache"  # under Settings.data_dir
DEFAULT_TTL = timedelta(days=7)
RETRY_AFTER_CAP = 30.0  # seconds; a server asking for longer is treated as down
RETRY_STATUSES = (429, 502, 503, 504)

Validator = Callable[[Any], None]  # raises SourceError for a 200 that is really a failure


def host_of(url: str) -> str:
    """'host' or 'host:port' of a URL, without any user:password@ part; used in messages."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


class _Retry(Retry):
    """urllib3 Retry whose Retry-After wait is capped: a 429 with `Retry-After: 3600` must not
    freeze the app for an hour."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, RETRY_AFTER_CAP)


class _Throttle:
    """Spaces requests to one host (NCBI allows 3/s without an API key, 10/s with one)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


class _DiskCache:
    """JSON files under `root`, one per request, named by the request's sha256."""

    def __init__(self, root: Path, ttl: timedelta) -> None:
        self.root = root
        self.ttl = ttl

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, body) for a fresh entry; (False, None) when missing, expired or unreadable
        (a corrupt entry is just refetched)."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
            fetched = datetime.fromisoformat(entry["fetched_at"])
            if fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=UTC)
            if datetime.now(UTC) - fetched > self.ttl:
                return False, None
            return True, entry["body"]
        except (OSError, ValueError, KeyError, TypeError):
            return False, None

    def put(self, key: str, status: int, body: Any) -> None:
        path = self.path(key)
        entry = {"status": status, "body": body, "fetched_at": datetime.now(UTC).isoformat()}
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            atomic_write(path, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs a refetch


def cache_key(
    method: str, url: str, params: Mapping[str, Any] | None = None, body: Any = None
) -> str:
    """sha256 of method, URL, sorted parameters and JSON body; headers are deliberately left
    out so that a token never influences (or leaks through) the cache."""
    items = sorted((str(k), json.dumps(v, sort_keys=True, default=str))
                   for k, v in (params or {}).items())
    text = json.dumps([method.upper(), url, items, body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_timeout(exc: BaseException) -> bool:
    """requests reports a read timeout during the body as ConnectionError; look inside."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (requests.Timeout, TimeoutError)) or "TimeoutError" in type(
            item
        ).__name__:
            return True
        stack.extend(item.args)
        stack.extend((item.__cause__, item.__context__, getattr(item, "reason", None)))
    return False


def _network_error(host: str, exc: requests.RequestException) -> SourceError:
    if _is_timeout(exc):
        return SourceError(f"{host}: timed out")
    if isinstance(exc, requests.exceptions.RetryError):
        return SourceError(f"{host}: still failing after retries")
    if isinstance(exc, requests.ConnectionError):
        return SourceError(f"{host}: connection failed")
    return SourceError(f"{host}: request failed ({type(exc).__name__})")


class HttpClient:
    """One `requests.Session` with timeouts, retries, a disk cache and an offline switch.

    cache_dir=None disables the cache (tests, `mtb kb update`). Safe to share between sources;
    tokens are passed per request (`headers=`), never stored on the session, so they only go
    to the host they belong to.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        timeout: tuple[float, float] = (3.05, 15),
        retries: int = 2,
        user_agent: str = f"mtb/{__version__}",
        *,
        offline: bool = False,
        ttl: timedelta = DEFAULT_TTL,
        backoff_factor: float = 0.5,
    ) -> None:
        self.timeout = timeout
        self.offline = offline
        self._cache = _DiskCache(Path(cache_dir), ttl) if cache_dir is not None else None
        self._throttles: dict[str, _Throttle] = {}
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        retry = _Retry(
            total=retries,
            connect=retries,
            read=False,  # re-raise read timeouts at once instead of waiting again
            status=retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "POST"}),  # POSTs here are queries
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,  # we turn the last status into our own message
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    @classmethod
    def in_data_dir(cls, data_dir: Path, **kwargs: Any) -> HttpClient:
        """A client caching under `<data_dir>/http-cache`, the only place licensed answers
        (OncoKB) may be kept."""
        return cls(Path(data_dir) / CACHE_SUBDIR, **kwargs)

    @property
    def cache_dir(self) -> Path | None:
        return self._cache.root if self._cache else None

    def rate_limit(self, host: str, per_second: float) -> None:
        """Space network requests to `host` (as `host_of` spells it); cache hits are free."""
        self._throttles[host] = _Throttle(per_second)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- JSON requests ------------------------------------------------------------------------

    def get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        validate: Validator | None = None,
    ) -> Any:
        """Parsed JSON of a GET. `validate` may reject a 200 body (raising SourceError) so that
        an error disguised as success is neither returned nor cached."""
        return self._json("GET", url, params=params, body=None, headers=headers,
                          validate=validate)

    def post_json(
        self,
        url: str,
        json_body: Any,
        headers: Mapping[str, str] | None = None,
        *,
        validate: Validator | None = None,
    ) -> Any:
        """Parsed JSON of a POST with a JSON body (GraphQL); cached like a GET."""
        return self._json("POST", url, params=None, body=json_body, headers=headers,
                          validate=validate)

    def _json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        validate: Validator | None,
    ) -> Any:
        if self.offline:
            raise SourceError("offline")
        host = host_of(url)
        key = cache_key(method, url, params, body) if self._cache else ""
        if self._cache:
            hit, cached = self._cache.get(key)
            if hit:
                return cached
        merged = {"Accept": "application/json", **(headers or {})}
        self._throttle(host)
        try:
            response = self._session.request(
                method, url, params=params, json=body, headers=merged, timeout=self.timeout
            )
            status = response.status_code
            if not 200 <= status < 300:
                response.close()
                raise HttpStatusError(host, status)
            content = response.content
        except requests.RequestException as exc:
            raise _network_error(host, exc) from None
        try:
            parsed = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            raise SourceError(f"{host}: invalid JSON") from None
        if validate is not None:
            validate(parsed)
        if self._cache:
            self._cache.put(key, status, parsed)
        return parsed

    # -- files ----------------------------------------------------------------------------------

    def probe(self, url: str) -> bool:
        """Whether `url` exists (2xx to HEAD, or to GET where HEAD is not allowed). Used to find
        the newest CIViC release; network failures raise, since probing further is pointless."""
        if self.offline:
            raise SourceError("offline")
        host = host_of(url)
        self._throttle(host)
        try:
            with self._session.head(url, timeout=self.timeout, allow_redirects=True) as resp:
                status = resp.status_code
            if status in (405, 501):
                with self._session.get(url, timeout=self.timeout, stream=True) as resp:
                    status = resp.status_code
        except requests.RequestException as exc:
            raise _network_error(host, exc) from None
        return 200 <= status < 300

    def download(self, url: str, dest: Path, headers: Mapping[str, str] | None = None) -> Path:
        """Stream `url` to `dest` through mtb.atomic: `dest` is either the previous file or the
        complete new one, never a partial download."""
        if self.offline:
            raise SourceError("offline")
        host = host_of(url)
        dest = Path(dest)
        with atomic_file(dest, mode=0o644) as out:
            self._throttle(host)
            written, expected = self._stream(url, host, out, headers)
            if expected is not None and written != expected:
                raise SourceError(f"{host}: download incomplete")
        return dest

    def _stream(
        self, url: str, host: str, out: Any, headers: Mapping[str, str] | None
    ) -> tuple[int, int | None]:
        written = 0
        try:
            with self._session.get(
                url, headers=dict(headers or {}), timeout=self.timeout, stream=True
            ) as resp:
                if not 200 <= resp.status_code < 300:
                    raise HttpStatusError(host, resp.status_code)
                length = resp.headers.get("Content-Length")
                encoded = resp.headers.get("Content-Encoding", "identity") != "identity"
                expected = int(length) if length and length.isdigit() and not encoded else None
                for chunk in resp.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
                    written += len(chunk)
        except requests.RequestException as exc:
            raise _network_error(host, exc) from None
        return written, expected

    def _throttle(self, host: str) -> None:
        throttle = self._throttles.get(host)
        if throttle is not None:
            throttle.wait()
