"""Rewrite the sha256 of every file listed in annotation/snapshots/manifest.toml (for maintainers
after editing a curated snapshot file such as approvals.tsv; index builds refuse files whose
checksum differs). Prints the files whose checksum changed.

    python scripts/snapshot_checksums.py
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parents[1] / "annotation" / "snapshots"
_ENTRY = re.compile(r'\{ path = "([^"]+)", sha256 = "([0-9a-f]{64})" \}')


def main() -> None:
    manifest = SNAPSHOTS / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")

    def fresh(match: re.Match[str]) -> str:
        path, old = match.groups()
        new = hashlib.sha256((SNAPSHOTS / path).read_bytes()).hexdigest()
        if new != old:
            print(f"{path}: {old[:12]} -> {new[:12]}")
        return f'{{ path = "{path}", sha256 = "{new}" }}'

    manifest.write_text(_ENTRY.sub(fresh, text), encoding="utf-8")


if __name__ == "__main__":
    main()
