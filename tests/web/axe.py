"""axe-core (Deque's accessibility engine, MPL-2.0) for the browser tests: the published npm
tarball, pinned and checked against the registry's sha512 integrity, cached under .cache/.

Fetched with Python's standard library, so the test command needs no Node.js: scripts/test.sh
runs `python -m tests.web.axe` before pytest, and the `axe_source` fixture fetches it itself
when the cache is empty. Only this one file of the tarball is used (axe.min.js, which the test
injects into the page with WebDriver and runs with `axe.run`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `npm view axe-core@4.14.1 dist.integrity` (the registry's Subresource-Integrity value)
INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe3"
             "7OgudVGtQ==")
CACHE = Path(__file__).resolve().parents[2] / ".cache" / f"axe-core-{VERSION}"
SCRIPT = "axe.min.js"


class AxeUnavailable(Exception):
    """axe-core could not be had: no network to the npm registry, or a tarball that does not
    match its integrity (never used then)."""


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _download(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bytes(response.read())
    except OSError as error:
        raise AxeUnavailable(f"cannot download {url}: {error}") from error


def unpack(tarball: bytes, cache: Path = CACHE) -> Path:
    """Check `tarball` against INTEGRITY and keep its axe.min.js (and licence) in `cache`."""
    found = integrity_of(tarball)
    if found != INTEGRITY:
        raise AxeUnavailable(f"axe-core {VERSION}: integrity {found} is not the registry's "
                             f"{INTEGRITY}")
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in (SCRIPT, "LICENSE"):
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise AxeUnavailable(f"axe-core {VERSION}: package/{name} not in the tarball")
            partial = cache / f"{name}.part"
            partial.write_bytes(member.read())
            partial.replace(cache / name)  # a cut-off download never looks complete
    return cache / SCRIPT


def axe_script(cache: Path = CACHE, *, timeout: float = 60.0) -> Path:
    """The path of axe.min.js, downloaded and checked on first use."""
    script = cache / SCRIPT
    if script.is_file():
        return script
    return unpack(_download(TARBALL, timeout), cache)


def main() -> int:
    try:
        print(axe_script())
    except AxeUnavailable as error:
        print(f"axe-core not available (the accessibility tests will say so): {error}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
