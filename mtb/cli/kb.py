"""`mtb kb build|status|update`: the local knowledge-base index (annotation.index), what it
holds (annotation.status) and CIViC's monthly releases (annotation.update)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from mtb.cli.options import ProgressBar
from mtb.config import Settings


def add_parser(commands: Any) -> None:
    kb = commands.add_parser("kb", help="build, inspect or update the local knowledge-base index")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    kb_build = kb_commands.add_parser("build", help="build the index from the bundled snapshots")
    kb_build.add_argument("--civic", metavar="DIR", type=Path,
                          help="a CIViC release folder to use instead of the bundled one")
    kb_commands.add_parser("status", help="sources, versions, dates, counts and licences")
    kb_commands.add_parser(
        "update", help="fetch CIViC's newest monthly release and switch the index to it"
    )


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    settings = Settings.load()
    if args.kb_command == "build":
        from annotation.index import build_index

        path = build_index(settings.data_dir, civic_dir=args.civic,
                           progress=ProgressBar(err, "building knowledge-base index"))
        out.write(f"index built: {path}\n")
        _reannotate(settings, out)
        return 0
    if args.kb_command == "update":
        from annotation.update import update_civic

        result = update_civic(settings, progress=ProgressBar(err, "updating CIViC"))
        if result.changed:
            out.write(f"CIViC updated from {result.previous or 'none'} to {result.release}; "
                      f"index: {result.index}\n")
            _reannotate(settings, out)
        else:
            out.write(f"CIViC {result.release} is already the newest release\n")
        return 0
    from annotation.status import knowledge_base_status

    status = knowledge_base_status(settings)
    if status.built:
        out.write(f"index: {status.index} (built {status.built_at} by {status.built_by})\n")
    else:
        out.write(f"index: none yet at {status.index} (built on first use, or `mtb kb build`)\n")
    for source in status.sources:
        out.write(f"\n{source.name}\n  version: {source.version}\n  date: {source.date}\n"
                  f"  licence: {source.licence}\n")
        if source.counts:
            out.write(f"  counts: {source.counts}\n")
    live = "on" if status.live else "off (MTB_LIVE=1 or --live to ask CIViC/ClinVar/OncoKB)"
    oncokb = "configured" if status.oncokb else "no token (OncoKB not used)"
    out.write(f"\nlive sources: {live}; OncoKB: {oncokb}\n")
    return 0


def _reannotate(settings: Settings, out: IO[str]) -> None:
    """A new index: every registered case is annotated again (jobs), and the agenda says
    what changed since each case's board."""
    from mtb.jobs import JobQueue
    from mtb.library import Library
    from mtb.store import Store

    store = Store.open(settings.database_url)
    queue = JobQueue(settings)
    try:
        if not store.stored_cases():
            return  # no case registered yet: nothing to annotate again
        result = Library(settings, store, notify=queue.send).sync(by="mtb kb")
    finally:
        queue.close()
        store.close()
    if result.queued:
        why = result.kb_changed or "knowledge base changed"
        out.write(f"{len(result.queued)} cases queued for re-annotation ({why}); `mtb worker` "
                  "or `mtb serve` runs them, `mtb case sync --wait` waits for them\n")
