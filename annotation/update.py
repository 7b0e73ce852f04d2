"""`mtb kb update`: fetch the newest CIViC monthly release, check it, and switch the index to it.

Each step can fail without harm: files download into a temporary folder (renamed into place
only when all are complete), the release is parsed and checked before any index is built, and
the new index replaces the old one only when it is complete (annotation.index). On any failure
the index in use stays as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from annotation.index import Progress, build_index, index_path, load_index
from annotation.sources.civic.api import OPTIONAL_FILES, CivicApi
from annotation.sources.civic.release import read_release
from mtb.config import Settings
from mtb.errors import KnowledgeBaseError, SourceError
from mtb.http import HttpClient


@dataclass(frozen=True)
class UpdateResult:
    release: str
    previous: str | None
    changed: bool
    index: Path


def current_release(data_dir: Path) -> str | None:
    if not index_path(data_dir).is_file():
        return None
    try:
        return load_index(data_dir).meta.get("civic_release")
    except KnowledgeBaseError:
        return None


def update_civic(
    settings: Settings, http: HttpClient | None = None, progress: Progress | None = None
) -> UpdateResult:
    """Bring the index to CIViC's newest monthly release (no-op when it already is)."""
    report = progress or (lambda step, done: None)
    client = http or HttpClient(cache_dir=None)
    api = CivicApi(client, base_url=settings.civic_api_url,
                   download_base=settings.civic_download_url)
    report("asking CIViC for its newest release", 0.0)
    release = api.latest_release()
    previous = current_release(settings.data_dir)
    if release == previous:
        return UpdateResult(release, previous, False, index_path(settings.data_dir))
    releases = settings.data_dir / "kb" / "civic"
    final = releases / release
    if not final.is_dir():
        releases.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{release}.", dir=releases))
        try:
            files = api.release_files(release)
            for number, (name, url) in enumerate(sorted(files.items()), start=1):
                report(f"downloading {name}", 0.1 + 0.5 * number / len(files))
                try:
                    client.download(url, staging / name)
                except SourceError:
                    if not name.endswith(OPTIONAL_FILES):
                        raise
            report("checking the release", 0.65)
            read_release(staging)  # refuses a release this mtb cannot read
            try:
                staging.rename(final)
            except OSError:
                if not final.is_dir():  # not another `mtb kb update` that finished first
                    raise KnowledgeBaseError(
                        f"could not move the downloaded release into {final}"
                    ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    report("building the new index", 0.7)
    path = build_index(settings.data_dir, civic_dir=final, progress=None)
    report("done", 1.0)
    return UpdateResult(release, previous, True, path)
