"""The `mtb` command: one module per command, each with its parser (`add_parser`) and its
`run(args, out, err)`. This module assembles them and is the only place (with the web app's
error boundary) that turns errors into messages: an MtbError prints one line on stderr and
exits 2; nothing prints a traceback unless MTB_DEBUG=1 is set.

    mtb ingest PATH     tumor VCF/BCF, copy-number or fusion table -> one row per finding
    mtb annotate PATH   the same rows with AMP/ASCO/CAP tier, evidence, therapies and reasons
    mtb kb build|status|update   the local knowledge-base index
    mtb timeline PATH   clinical events from FHIR, tabular histories and DICOM, in order
    mtb case show|import-fhir    a case folder at a glance; a patient from a FHIR server
    mtb report CASE --format html|pdf|fhir -o FILE   the case report for the hospital record
    mtb user add NAME --role ROLE   who may sign in to the web app (and with which role)
    mtb case add|list|sync   the case library: registered cases, annotated once, as jobs
    mtb user list       the users: role, active, last sign-in
    mtb audit export --since DATE --format csv|json   the audit log of a period
    mtb trials add|list|match|patients   the site's trials (CTML), trials for a case, patients
                        for a trial
    mtb cohort query    which cases carry a finding (gene, variant, tumor type, tier, ...)
    mtb serve           the web app on the bundled sample cases (or MTB_CASES_DIR)
    mtb worker          runs the jobs (annotation, re-annotation, final reports)

The commands do no domain work of their own: files are read by mtb.ingest, cases assembled by
mtb.case, looked up and written by mtb.catalog, the knowledge base described by
annotation.status.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from mtb import __version__
from mtb.cli import (
    annotate,
    audit,
    case,
    cohort,
    ingest,
    kb,
    report,
    serve,
    timeline,
    trials,
    user,
    worker,
)
from mtb.cli.options import CommandParser
from mtb.errors import MtbError

__all__ = ["COMMANDS", "EXIT_INPUT", "main"]

EXIT_INPUT = 2
# in the order `mtb --help` lists them
COMMANDS = {"ingest": ingest, "annotate": annotate, "kb": kb, "timeline": timeline,
            "case": case, "report": report, "trials": trials, "cohort": cohort, "user": user,
            "serve": serve, "worker": worker, "audit": audit}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtb",
        description="Prepare and present molecular tumor board cases.",
    )
    parser.add_argument("--version", action="version", version=f"mtb {__version__}")
    # every command's parser refuses an unknown option with its own usage (and so do theirs)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                     parser_class=CommandParser)
    for command in COMMANDS.values():
        command.add_parser(commands)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """A command without a description of its own gets its one-line help as one, so that
    `mtb COMMAND --help` always says what the command does."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if not sub.description and helps.get(name):
                    text = str(helps[name])
                    sub.description = text[:1].upper() + text[1:] + "."
                _describe(sub)


_OWNER_ONLY = 0o077  # umask: what mtb creates is its user's only (0600 files, 0700 folders)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # the store, the secret, uploads, added cases, reports and logs hold patient data or keys;
    # gunicorn's workers inherit the mask
    previous = os.umask(_OWNER_ONLY)
    try:
        return COMMANDS[args.command].run(args, sys.stdout, sys.stderr)
    except MtbError as error:
        print(f"mtb: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # `mtb ingest x.vcf | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last boundary: no traceback (it may hold patient data)
        if os.environ.get("MTB_DEBUG") == "1":
            raise
        print(
            f"mtb: internal error ({type(error).__name__}); rerun with MTB_DEBUG=1 for details "
            "and report it",
            file=sys.stderr,
        )
        return 1
    finally:
        os.umask(previous)
