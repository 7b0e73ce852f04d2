"""What several commands share: the file options of `ingest` and `annotate`, the genome-build
argument, a parser that prints its own command's usage, and the progress bar shown while the
knowledge-base index is built or updated.

Command modules import what their `run` needs inside it, so that `mtb --help` (which builds
every command's parser) stays fast."""

from __future__ import annotations

import argparse
from typing import IO, TYPE_CHECKING, Any

from mtb.config import Settings
from mtb.variant import GenomeBuild

if TYPE_CHECKING:
    from annotation.kb import KnowledgeBase


def genome_build(text: str) -> GenomeBuild:
    build = GenomeBuild.parse(text)
    if build is GenomeBuild.UNKNOWN:
        raise argparse.ArgumentTypeError(f"unknown genome build {text!r}; use GRCh37 or GRCh38")
    return build


def add_file_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--tumor", metavar="NAME", help="sample column of the tumor")
    command.add_argument("--normal", metavar="NAME", help="sample column of the matched normal")
    command.add_argument(
        "--build", type=genome_build, metavar="GRCh37|GRCh38",
        help="genome build, when the header does not tell (or to override it)",
    )
    command.add_argument(
        "--pass-only", action="store_true",
        help="keep only records that passed all filters (FILTER PASS, or '.' = none applied)",
    )
    command.add_argument("--format", choices=("tsv", "json"), default="tsv", help="output format")


class ProgressBar:
    """A progress line on stderr (redrawn in place on a terminal, one line per step otherwise)."""

    def __init__(self, err: IO[str], title: str) -> None:
        self.err = err
        self.title = title
        self.tty = err.isatty()
        self.last = ""

    def __call__(self, step: str, done: float) -> None:
        if step == self.last:
            return
        self.last = step
        filled = int(done * 20)
        line = f"{self.title} [{'#' * filled}{'.' * (20 - filled)}] {done:4.0%} {step}"
        self.err.write(("\r" + line.ljust(80)) if self.tty else line + "\n")
        if self.tty and done >= 1.0:
            self.err.write("\n")
        self.err.flush()


def open_kb(settings: Settings, err: IO[str]) -> KnowledgeBase:
    """The knowledge base, its index built on first use with a progress bar on `err`."""
    from annotation.kb import KnowledgeBase  # on use: `mtb --help` stays fast

    return KnowledgeBase.open(settings, progress=ProgressBar(err, "building knowledge-base index"))


class CommandParser(argparse.ArgumentParser):
    """A (sub)command's parser that refuses an unknown option itself, printing its own usage
    (`usage: mtb audit export ...`) rather than the top-level one. Pass it as the
    `parser_class` of a command's `add_subparsers`."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras
