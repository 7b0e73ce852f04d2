"""HGVS c. and p. names, Sequence Ontology consequences and a card label for a small variant on
its MANE transcript — what VEP would have said, for VCFs that were never annotated.

`describe(model, build, chrom, pos, ref, alt, fasta)` is the one entry point. It places the VCF
allele on the MANE transcript that `GeneModel.locate` picks (GRCh37 lifted to GRCh38: the exon
structure exists only there) and returns a `Description`:

* without a FASTA: gene, transcript, exon/intron, codon(s), the c. name (`c.215C>G`,
  `c.2235_2249del`, `c.1234+1G>A`, `c.-14A>G`, `c.*25T>C`: everything the VCF alleles and the
  transcript geometry determine) and consequences from position and length change
  (frameshift / in-frame for indels, `coding_sequence_variant` for substitutions, whose effect
  on the codon is unknown). The c. position is the VCF's: VCFs are left-aligned, which is 3'
  on '-' strand genes but not on '+' strand ones, and an insertion cannot be recognised as a
  duplication without the flanking sequence. `label` reads `TP53 exon 4, codon 73, frameshift`.
* with a reference FASTA of the VCF's build: the indel is first shifted 3' on the coding strand
  (within its exon or intron), an insertion repeating the bases before it becomes a `dup`, and
  the codons are read to give the short p. name (`p.G12C`, `p.Q61*`, `p.L858=`, `p.M1?`,
  `p.E746_A750del`, `p.A767_V769dup`, `p.D770_N771insG`, `p.R73Pfs*12`, `p.*392Qext*17`) and
  the exact consequence. Frameshifts and lost stops read on into the 3' UTR to the first stop
  (`fs*?` / `ext*?` when the transcript ends first).

Data problems are never exceptions: a FASTA without the variant's contig, or whose bases at the
variant are not REF (most often a FASTA of the other build), gives a description without the
FASTA plus a one-sentence `warning`; the run goes on. Only a FASTA that cannot be opened or
indexed at all raises InputError (once: the reader is opened once per file, see `Reference`).

Conventions and limits, so that nobody has to guess:
* 3' shifting stays inside the exon or intron holding the change (HGVS does not shift across
  an exon-intron junction) and needs the FASTA; changes spanning a junction get their c. name
  (`c.60_60+2del`), splice and `coding_sequence_variant` terms, but no p. name, and neither do
  insertions exactly at a junction.
* A stop codon removed by an in-frame change is written as a deletion-insertion up to the new
  stop (`p.N23_*24delinsKLG*`); a substitution or frameshift at the stop as an extension.
* Bases read as N give '' (or `fs` without a length) rather than a guess.
* Codon numbers (`codon`, `label`) are those of the DNA change, which for an in-frame deletion
  starting mid-codon is one more than the protein name's (c.2235_2249del: codons 745-750,
  p.E746_A750del).

Performance: without a FASTA a description is a few bisects and string operations (50,000 in
well under a second); with one, a handful of `fetch` calls on an already open FASTA.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pysam
from pysam.utils import SamtoolsError

from annotation.genes import GeneModel
from annotation.genes import _Transcript as Transcript
from annotation.liftover import Liftover
from mtb.config import Settings
from mtb.errors import ConfigError, InputError
from mtb.sequence import SO_SEVERITY
from mtb.variant import GenomeBuild, allele_key, normalize_chrom

# --------------------------------------------------------------------------------------------
# the result


# Sequence Ontology terms in VEP's order of severity (most severe first, mtb.sequence), so
# that `Description.consequences[0]` is the headline and the order is stable
SEVERITY = SO_SEVERITY
_RANK = {term: k for k, term in enumerate(SEVERITY)}

_EFFECT_WORDS = {
    "stop_gained": "stop gained",
    "frameshift_variant": "frameshift",
    "stop_lost": "stop lost",
    "start_lost": "start lost",
    "inframe_insertion": "in-frame insertion",
    "inframe_deletion": "in-frame deletion",
    "missense_variant": "missense",
    "protein_altering_variant": "amino-acid change",
    "stop_retained_variant": "stop retained",
    "synonymous_variant": "synonymous",
}


class Description(NamedTuple):
    """A small variant on its MANE transcript, as HGVS and Sequence Ontology name it.

    `codon`/`last_codon` are the codons the (3'-shifted) DNA change touches, None outside the
    CDS; `cds_position` is the c. number of its first coding base. `exon`/`intron`,
    `splice_distance` and `region` are those of the first changed base in transcript
    direction (as `GeneModel.locate` gives them). A NamedTuple: as immutable as a frozen
    dataclass and several times cheaper to build, which the 50,000-variant budget needs.
    """

    gene: str
    transcript: str  # ENST, versioned
    refseq: str  # NM_, versioned
    strand: str
    exon: int | None
    intron: int | None
    exon_count: int
    region: str  # Location.region of the first changed base
    splice_distance: int | None
    codon: int | None
    last_codon: int | None
    cds_position: int | None
    hgvsc: str  # 'c.2573T>G' ('' when the alleles are not plain bases)
    hgvsp: str  # short form 'p.L858R'; '' without a FASTA or where not computable
    consequences: tuple[str, ...]  # Sequence Ontology terms, most severe first
    warning: str = ""  # why the FASTA was not used for this variant, or ''
    liftover: str = ""  # 'GRCh37->GRCh38 7:140453136->7:140753336' when lifted

    @property
    def label(self) -> str:
        """What a card shows when there is no protein change: where, which codon, which effect
        ('TP53 exon 4, codon 73, frameshift'; 'EGFR exon 19, codons 745-750, in-frame
        deletion'; 'MET intron 14, splice donor +1'; 'KRAS exon 2, codon 12, c.35G>A', and
        'c.35G>A, amino-acid change' where the codon position tells (annotation.alterations))."""
        parts = [self.gene]
        if self.exon is not None:
            parts[0] += f" exon {self.exon}"
        elif self.intron is not None:
            parts[0] += f" intron {self.intron}"
        if self.codon is not None:
            last = self.last_codon if self.last_codon is not None else self.codon
            parts.append(f"codon {self.codon}" if last == self.codon
                         else f"codons {self.codon}-{last}")
        terms = set(self.consequences)
        effect = next((_EFFECT_WORDS[t] for t in SEVERITY if t in terms and t in _EFFECT_WORDS),
                      "")
        if terms & {"coding_sequence_variant", "protein_altering_variant"} and self.hgvsc:
            parts.append(self.hgvsc)  # which residue it becomes needs the FASTA
        if effect:
            parts.append(effect)
        distance = f" {self.splice_distance:+d}" if self.splice_distance is not None else ""
        if "splice_donor_variant" in terms:
            parts.append("splice donor" + distance)
        elif "splice_acceptor_variant" in terms:
            parts.append("splice acceptor" + distance)
        elif "splice_region_variant" in terms:
            parts.append("splice region" + distance)
        if "5_prime_UTR_variant" in terms:
            parts.append("5' UTR")
        elif "3_prime_UTR_variant" in terms:
            parts.append("3' UTR")
        return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# the reference FASTA


class Reference:
    """One reference FASTA, opened once and shared by every variant of a run.

    pysam needs a .fai index (and a .gzi for a bgzip-compressed FASTA). An index beside the
    FASTA is used when it exists; otherwise one is built once in `index_dir` (default: the
    `fasta-index` folder of MTB_DATA_DIR), keyed by the FASTA's path, size and modification
    time, so that a FASTA in a read-only folder works and mtb never writes next to a user's
    reference. Fetches are serialised: a pysam handle is not thread-safe.
    """

    def __init__(self, path: Path, index_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.name = self.path.name
        fai, gzi = _index_files(self.path, index_dir)
        try:
            self._fasta = pysam.FastaFile(
                str(self.path),
                filepath_index=None if fai is None else str(fai),
                filepath_index_compressed=None if gzi is None else str(gzi),
            )
        except (OSError, ValueError) as exc:
            raise InputError(self.path, f"cannot be read as a FASTA reference ({exc})") from exc
        self.contigs = frozenset(self._fasta.references)
        self._lock = threading.Lock()
        self._names: dict[str, str | None] = {}

    @classmethod
    def open(cls, path: Path, index_dir: Path | None = None) -> Reference:
        """The shared reader of `path` (re-opened only when the file changed on disk)."""
        path = Path(path)
        try:
            stat = path.stat()
        except OSError as exc:
            raise InputError(path, "reference FASTA not found or not readable") from exc
        if not path.is_file():
            raise InputError(path, "reference FASTA is not a file")
        return _open_reference(str(path.resolve()), stat.st_mtime_ns, stat.st_size,
                               None if index_dir is None else str(index_dir))

    def contig(self, chrom: str) -> str | None:
        """The FASTA's name for a VCF chromosome ('7', 'chr7' and 'NC_000007.14' all find
        'chr7' or '7'); None if the FASTA has none."""
        if chrom in self._names:
            return self._names[chrom]
        norm = normalize_chrom(chrom)
        names = [chrom, norm, "chr" + norm] + (["chrM", "M", "MT"] if norm == "MT" else [])
        found = next((name for name in names if name in self.contigs), None)
        self._names[chrom] = found
        return found

    def fetch(self, contig: str, start0: int, end0: int) -> str:
        """Upper-case bases of [start0, end0) (shorter at the contig's end, '' before it)."""
        if end0 <= start0 or start0 < 0:
            return ""
        with self._lock:
            return self._fasta.fetch(contig, start0, end0).upper()

    def close(self) -> None:
        with self._lock:
            self._fasta.close()


@lru_cache(maxsize=4)
def _open_reference(resolved: str, mtime_ns: int, size: int, index_dir: str | None) -> Reference:
    del mtime_ns, size  # part of the cache key only: a changed file is opened anew
    return Reference(Path(resolved), None if index_dir is None else Path(index_dir))


def default_index_dir() -> Path:
    """MTB_DATA_DIR/fasta-index, or a folder in the temp dir if the settings are unusable."""
    try:
        return Settings.load().data_dir / "fasta-index"
    except ConfigError:
        return Path(tempfile.gettempdir()) / "mtb-fasta-index"


def _compressed(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _index_files(path: Path, index_dir: Path | None) -> tuple[Path | None, Path | None]:
    """(.fai, .gzi) for pysam: None, None when the indexes beside the FASTA will do."""
    try:
        compressed = _compressed(path)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from exc
    stat = path.stat()
    beside_fai = Path(f"{path}.fai")
    beside_gzi = Path(f"{path}.gzi")
    if (beside_fai.is_file() and beside_fai.stat().st_mtime >= stat.st_mtime
            and (not compressed or beside_gzi.is_file())):
        return None, None  # an index beside the FASTA, not older than it
    key = hashlib.sha256(
        f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    ).hexdigest()[:24]
    for base in (index_dir or default_index_dir(), Path(tempfile.gettempdir()) / "mtb-fasta-index"):
        folder = base / key
        fai, gzi = folder / f"{path.name}.fai", folder / f"{path.name}.gzi"
        if fai.is_file() and (not compressed or gzi.is_file()):
            return fai, gzi if compressed else None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _build_index(path, folder, fai, gzi if compressed else None)
        except OSError:
            continue  # not writable: try the next place
        return fai, gzi if compressed else None
    raise InputError(path, "no writable folder for its FASTA index (set MTB_DATA_DIR)")


def _build_index(path: Path, folder: Path, fai: Path, gzi: Path | None) -> None:
    """samtools faidx into a private temp folder, then renamed into place: two runs building
    the same index at once never see a half-written file."""
    work = Path(tempfile.mkdtemp(dir=folder, prefix=".building-"))
    try:
        args = [str(path), "--fai-idx", str(work / fai.name)]
        if gzi is not None:
            args += ["--gzi-idx", str(work / gzi.name)]
        try:
            pysam.faidx(*args)
        except SamtoolsError as exc:
            hint = " (gzip is not enough: compress with bgzip)" if gzi is not None else ""
            raise InputError(path, f"cannot be indexed as a FASTA reference{hint}") from exc
        if gzi is not None:
            os.replace(work / gzi.name, gzi)
        os.replace(work / fai.name, fai)
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()


class _Mapper:
    """Positions of the variant's build <-> GRCh38 (identity on GRCh38)."""

    def __init__(self, liftover: Liftover, build: GenomeBuild, chrom: str) -> None:
        self.liftover = liftover
        self.build = build
        self.chrom = chrom
        self.delta: int | None = None

    def forward(self, pos: int) -> int | None:
        if self.build == GenomeBuild.GRCH38:
            return pos
        hit = self.liftover.convert(self.chrom, pos, self.build, GenomeBuild.GRCH38)
        if hit is None:
            return None
        if self.delta is None:
            self.delta = hit[1] - pos
        return hit[1]

    def back(self, pos38: int) -> int | None:
        """GRCh38 -> build. The variant's own offset almost always holds nearby, and confirming
        it with the forward chain avoids loading the reverse chain (~2 s)."""
        if self.build == GenomeBuild.GRCH38:
            return pos38
        if self.delta is not None and self.forward(pos38 - self.delta) == pos38:
            return pos38 - self.delta
        hit = self.liftover.convert(self.chrom, pos38, GenomeBuild.GRCH38, self.build)
        if hit is None or self.forward(hit[1]) != pos38:
            return None
        return hit[1]


class _Unreadable(Exception):
    """A GRCh38 stretch that the user's FASTA (of another build) does not hold contiguously."""


class _Genome:
    """GRCh38 0-based coordinates read from the user's FASTA of the VCF's build."""

    def __init__(self, reference: Reference, contig: str, mapper: _Mapper) -> None:
        self.reference = reference
        self.contig = contig
        self.mapper = mapper

    def fetch(self, start0: int, end0: int) -> str:
        if end0 <= start0:
            return ""
        if self.mapper.build == GenomeBuild.GRCH38:
            return self.reference.fetch(self.contig, start0, end0)
        first, last = self.mapper.back(start0 + 1), self.mapper.back(end0)
        if first is None or last is None or last - first != end0 - 1 - start0:
            raise _Unreadable
        return self.reference.fetch(self.contig, first - 1, last)


# --------------------------------------------------------------------------------------------
# sequence helpers

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_DNA = frozenset("ACGTN")

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
GENETIC_CODE = {
    a + b + c: _AMINO[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}  # the standard code (NCBI translation table 1)


def _revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


def _translate(cds: str) -> str:
    """One letter per whole codon; '?' where a codon holds anything but ACGT (e.g. N)."""
    return "".join(GENETIC_CODE.get(cds[k : k + 3], "?") for k in range(0, len(cds) - 2, 3))


def _prefix(a: str, b: str) -> int:
    n = 0
    limit = min(len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def _suffix(a: str, b: str, prefix: int) -> int:
    n = 0
    limit = min(len(a), len(b)) - prefix
    while n < limit and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


# --------------------------------------------------------------------------------------------
# transcript geometry (0-based GRCh38 positions on a MANE transcript)


def _element(tx: Transcript, g0: int) -> tuple[int, int, int]:
    """(kind, lo, hi) of the exon (kind 0) or intron (1) holding g0, as [lo, hi); kind 2
    outside the transcript."""
    i = bisect_right(tx.exon_starts, g0) - 1
    if i < 0 or g0 >= tx.exon_ends[-1]:
        return 2, 0, 0
    if g0 < tx.exon_ends[i]:
        return 0, tx.exon_starts[i], tx.exon_ends[i]
    return 1, tx.exon_ends[i], tx.exon_starts[i + 1]


def _spliced_cnum(tx: Transcript, offset: int) -> int:
    return offset - tx.cds_first + 1 if tx.strand == "+" else tx.cds_last - offset + 1


def _cnum(tx: Transcript, g0: int) -> tuple[int, int]:
    """(c. number, intron offset) of a genomic base: exonic bases have offset 0; intronic ones
    are numbered from the nearer exon base (HGVS: an odd middle base counts from the upstream
    exon, +); bases outside the transcript continue the numbering (c.-N upstream, c.*N
    downstream)."""
    starts, ends, offsets = tx.exon_starts, tx.exon_ends, tx.exon_offsets
    plus = tx.strand == "+"
    i = bisect_right(starts, g0) - 1
    if i >= 0 and g0 < ends[i]:
        return _spliced_cnum(tx, offsets[i] + g0 - starts[i]), 0
    if i < 0 or i == len(starts) - 1:  # beyond the transcript's ends
        edge = starts[0] if i < 0 else ends[-1] - 1
        n = _spliced_cnum(tx, 0 if i < 0 else offsets[-1] - 1)
        return n + (g0 - edge if plus else edge - g0), 0
    after_left, before_right = g0 - ends[i] + 1, starts[i + 1] - g0
    if plus:
        if after_left <= before_right:
            return _spliced_cnum(tx, offsets[i + 1] - 1), after_left
        return _spliced_cnum(tx, offsets[i + 1]), -before_right
    if before_right <= after_left:
        return _spliced_cnum(tx, offsets[i + 1]), before_right
    return _spliced_cnum(tx, offsets[i + 1] - 1), -after_left


def _cfmt(tx: Transcript, g0: int) -> str:
    """The c. position of a genomic base as HGVS writes it: 215, -14, *25, 1234+1, 1235-2."""
    n, offset = _cnum(tx, g0)
    cds_len = tx.cds_last - tx.cds_first + 1
    if n < 1:
        text = f"-{1 - n}"
    elif n > cds_len:
        text = f"*{n - cds_len}"
    else:
        text = str(n)
    if offset:
        text += f"+{offset}" if offset > 0 else str(offset)
    return text


# --------------------------------------------------------------------------------------------
# describe


def describe(
    model: GeneModel,
    build: GenomeBuild,
    chrom: str,
    pos: int,
    ref: str,
    alt: str,
    fasta: Path | Reference | None = None,
) -> Description | None:
    """The variant on its MANE transcript; None where `GeneModel.locate` finds none (outside
    every transcript, unknown build, a GRCh37 position that does not lift).

    `fasta` is a FASTA of `build` (or an open `Reference`); problems with it at this variant
    are the description's `warning`, never an exception (see the module docstring).
    """
    if build == GenomeBuild.UNKNOWN:
        return None
    ref, alt = ref.upper(), alt.upper()
    if len(ref) == 1 == len(alt) and fasta is None and build == GenomeBuild.GRCH38:
        tx = model.transcript_at(chrom, pos - 1)  # the common case, kept short
        if tx is None:
            return None
        plain = ref != alt and ref in _DNA and alt in _DNA
        return _at_base(tx, pos - 1, "", (ref, alt) if plain else None)
    plain = bool(ref) and bool(alt) and ref != alt and _DNA.issuperset(ref + alt)
    if plain:
        start, deleted, inserted = allele_key(pos, ref, alt)
    else:
        start, deleted, inserted = pos, "", ""
    anchor = start if deleted or not plain else start - 1  # an insertion stays on its anchor
    mapper = _Mapper(model.liftover, build, chrom)
    anchor38 = mapper.forward(anchor)
    if anchor38 is None:
        return None
    delta = anchor38 - anchor
    tx = model.transcript_at(chrom, anchor38 - 1)
    if tx is None:
        return None
    lifted = ""
    if build == GenomeBuild.GRCH37:
        norm = normalize_chrom(chrom)
        lifted = f"GRCh37->GRCh38 {norm}:{anchor}->{norm}:{anchor38}"
    if not plain:
        return _at_base(tx, anchor38 - 1, lifted, None)
    last = start + len(deleted) - 1
    if len(deleted) > 1 and mapper.forward(last) != last + delta:
        warning = "the change does not lift to GRCh38 as one piece: only its start is placed"
        return _at_base(tx, anchor38 - 1, lifted, None, warning)
    warning = ""
    genome: _Genome | None = None
    if fasta is not None:
        reader = fasta if isinstance(fasta, Reference) else Reference.open(fasta)
        contig = reader.contig(chrom)
        if contig is None:
            warning = f"reference FASTA {reader.name} has no contig {chrom}"
        elif reader.fetch(contig, pos - 1, pos - 1 + len(ref)) != ref:
            other = "GRCh37" if build == GenomeBuild.GRCH38 else "GRCh38"
            warning = (f"REF differs from the reference FASTA {reader.name} at this position: "
                       f"is it a {other} reference?")
        else:
            genome = _Genome(reader, contig, mapper)
    # the change on GRCh38, 0-based: bases [s, e) replaced by `inserted` (genome strand);
    # an insertion has s == e and goes before base s
    s = start - 1 + delta
    e = s + len(deleted)
    if genome is None and len(deleted) == 1 == len(inserted):
        return _at_base(tx, s, lifted, (deleted, inserted), warning)
    try:
        return _Describer(tx, s, e, deleted, inserted, genome, lifted, warning).run()
    except _Unreadable:
        note = "the FASTA's stretch around the change does not lift to GRCh38 as one piece"
        return _Describer(tx, s, e, deleted, inserted, None, lifted,
                          warning or note + ": described without it").run()


def _at_base(
    tx: Transcript, g0: int, lifted: str, alleles: tuple[str, str] | None, warning: str = ""
) -> Description:
    """A description from one position: a substitution without FASTA (`alleles` REF, ALT on
    the genome strand), or symbolic/unreadable alleles (None: no c. name)."""
    location = tx.locate(g0, lifted)
    region = location.region
    terms = set()
    if location.exon is not None:
        if location.coding:
            terms.add("coding_sequence_variant")
        elif (g0 < tx.cds_start) == (tx.strand == "+"):
            terms.add("5_prime_UTR_variant")
        else:
            terms.add("3_prime_UTR_variant")
        if region == "splice_region":
            terms.add("splice_region_variant")
    elif region == "splice_site":
        distance = location.splice_distance or 0
        terms.add("splice_donor_variant" if distance > 0 else "splice_acceptor_variant")
    else:
        terms.add("intron_variant")
        if region == "splice_region":
            terms.add("splice_region_variant")
    hgvsc = ""
    if alleles is not None:
        old, new = alleles if tx.strand == "+" else (_revcomp(alleles[0]), _revcomp(alleles[1]))
        where = location.cds_position if location.coding else _cfmt(tx, g0)
        hgvsc = f"c.{where}{old}>{new}"
    return Description(
        location.gene, location.transcript, location.refseq, location.strand, location.exon,
        location.intron, location.exon_count, region, location.splice_distance, location.codon,
        location.codon, location.cds_position, hgvsc, "", _ordered(terms), warning, lifted,
    )


_ORDERED: dict[frozenset[str], tuple[str, ...]] = {}


def _ordered(terms: set[str]) -> tuple[str, ...]:
    """The terms most severe first (memoised: a VCF has only a few dozen distinct sets)."""
    key = frozenset(terms)
    found = _ORDERED.get(key)
    if found is None:
        found = _ORDERED[key] = tuple(sorted(key, key=lambda term: _RANK.get(term, len(_RANK))))
    return found


_SHIFT_CHUNK = 64
_READ_CHUNK = 300  # bases read at a time when following a new reading frame
_WINDOW = 20  # codons past an in-frame change read to see the proteins agree again


class _Describer:
    """One variant on one transcript; a class only to share the many small facts between the
    steps (shift, c. name, consequences, protein) without long argument lists."""

    def __init__(
        self, tx: Transcript, s: int, e: int, deleted: str, inserted: str,
        genome: _Genome | None, lifted: str, warning: str,
    ) -> None:
        self.tx = tx
        self.plus = tx.strand == "+"
        self.s, self.e = s, e
        self.deleted, self.inserted = deleted, inserted
        self.genome = genome
        self.lifted = lifted
        self.warning = warning
        self.cds_len = tx.cds_last - tx.cds_first + 1
        self.dup = False

    # -- 3' shifting -----------------------------------------------------------------------

    def _shift(self) -> None:
        """Move a deletion or insertion as far 3' on the coding strand as the sequence allows,
        without leaving its exon or intron (HGVS's 3' rule); then an insertion that repeats
        the bases 5' of it is a duplication of those bases."""
        genome = self.genome
        if genome is None or (self.deleted and self.inserted):
            return
        s, e = self.s, self.e
        kind, lo, hi = _element(self.tx, s if self.deleted else s - 1)
        if kind == 2 or _element(self.tx, e - 1 if self.deleted else s)[1:] != (lo, hi):
            return  # spans a junction or lies outside: left where the VCF put it
        seq = self.deleted or self.inserted
        # the bases the change may move over: a deletion up to the element's edge, an
        # insertion as long as a base of the element stays on both sides of it
        if self.plus:
            stop = hi if self.deleted else hi - 1
            while True:
                at = e if self.deleted else s
                ahead = genome.fetch(at, min(stop, at + _SHIFT_CHUNK))
                moved = 0
                for base in ahead:
                    if base != seq[0]:
                        break
                    seq = seq[1:] + seq[0]
                    moved += 1
                s, e = s + moved, e + moved
                if not ahead or moved < len(ahead):
                    break
        else:
            stop = lo if self.deleted else lo + 1
            while True:
                behind = genome.fetch(max(stop, s - _SHIFT_CHUNK), s)
                moved = 0
                for base in reversed(behind):
                    if base != seq[-1]:
                        break
                    seq = seq[-1] + seq[:-1]
                    moved += 1
                s, e = s - moved, e - moved
                if not behind or moved < len(behind):
                    break
        if self.deleted:
            self.s, self.e, self.deleted = s, e, seq
            return
        self.s = self.e = s
        self.inserted = seq
        n = len(seq)
        if self.plus and s - n >= lo and genome.fetch(s - n, s) == seq:
            self.s, self.e, self.deleted, self.dup = s - n, s, seq, True
        elif not self.plus and s + n <= hi and genome.fetch(s, s + n) == seq:
            self.s, self.e, self.deleted, self.dup = s, s + n, seq, True

    # -- c. name ---------------------------------------------------------------------------

    def _hgvsc(self) -> str:
        s, e, plus = self.s, self.e, self.plus
        if self.dup or (self.deleted and not self.inserted):
            word = "dup" if self.dup else "del"
            five, three = (s, e - 1) if plus else (e - 1, s)
            if five == three:
                return f"c.{_cfmt(self.tx, five)}{word}"
            return f"c.{_cfmt(self.tx, five)}_{_cfmt(self.tx, three)}{word}"
        bases = self.inserted if plus else _revcomp(self.inserted)
        if not self.deleted:  # insertion between s - 1 and s
            five, three = (s - 1, s) if plus else (s, s - 1)
            return f"c.{_cfmt(self.tx, five)}_{_cfmt(self.tx, three)}ins{bases}"
        if len(self.deleted) == 1 and len(self.inserted) == 1:
            old = self.deleted if plus else _revcomp(self.deleted)
            return f"c.{_cfmt(self.tx, s)}{old}>{bases}"
        five, three = (s, e - 1) if plus else (e - 1, s)
        if five == three:
            return f"c.{_cfmt(self.tx, five)}delins{bases}"
        return f"c.{_cfmt(self.tx, five)}_{_cfmt(self.tx, three)}delins{bases}"

    # -- consequences ----------------------------------------------------------------------

    def _splice(self) -> tuple[str, bool]:
        """('splice_donor_variant' / 'splice_acceptor_variant' / '', in a splice region).

        Deleted or substituted bases count where they lie: intron +1/+2 and -1/-2 are the
        sites, intron 3-8 and exon 1-3 bases from a junction the region (as VEP). An insertion
        disrupts a site only between the exon and +1/-1 or inside the GT/AG dinucleotide, and
        is in the region only with region bases on both sides (one just outside it leaves
        every base of the region where it was).
        """
        tx = self.tx
        starts, ends = tx.exon_starts, tx.exon_ends
        s, e = self.s, self.e
        insertion = s == e
        lo, hi = (s - 1, s + 1) if insertion else (s, e)  # bases to test
        site, region = "", False
        for k in range(max(0, bisect_right(ends, lo - 9) - 1), len(starts) - 1):
            left, right = ends[k], starts[k + 1]  # the intron is [left, right)
            if left - 3 >= hi + 9:
                break
            left_site = "splice_donor_variant" if self.plus else "splice_acceptor_variant"
            right_site = "splice_acceptor_variant" if self.plus else "splice_donor_variant"
            if insertion:
                if s in (left, left + 1):
                    site = site or left_site
                elif s in (right - 1, right):
                    site = site or right_site
                # both flanks among the region's bases: the insertion moves some of them
                if left - 2 <= s <= left + 7 or right - 7 <= s <= right + 2:
                    region = True
                continue
            if lo < left + 2 and left < hi:
                site = site or left_site
            if lo < right and right - 2 < hi:
                site = site or right_site
            if (lo < left + 8 and left - 3 < hi) or (lo < right + 3 and right - 8 < hi):
                region = True
        return site, region

    def _terms(self) -> tuple[set[str], tuple[int, int] | None]:
        """Positional consequences and, for a change inside one exon that touches the CDS,
        its c. range (n1, n2) with n2 == n1 - 1 for an insertion before c.n1."""
        tx = self.tx
        s, e = self.s, self.e
        insertion = s == e
        first, last = (s - 1, s) if insertion else (s, e - 1)
        kind_a, lo_a, _ = _element(self.tx, first)
        kind_b, lo_b, _ = _element(self.tx, last)
        terms: set[str] = set()
        site, region = self._splice()
        if site:
            terms.add(site)
        elif region:
            terms.add("splice_region_variant")
        coding: tuple[int, int] | None = None
        if kind_a == 0 and kind_b == 0 and lo_a == lo_b:  # inside one exon
            na, nb = _cnum(self.tx, first)[0], _cnum(self.tx, last)[0]
            n_lo, n_hi = min(na, nb), max(na, nb)
            if insertion:
                in_cds = n_lo >= 1 and n_hi <= self.cds_len
                utr5, utr3 = n_lo < 1, n_hi > self.cds_len
                coding = (n_hi, n_hi - 1) if in_cds else None
            else:
                in_cds = n_hi >= 1 and n_lo <= self.cds_len
                utr5, utr3 = n_lo < 1, n_hi > self.cds_len
                coding = (n_lo, n_hi) if in_cds else None
            if utr5:
                terms.add("5_prime_UTR_variant")
            if utr3:
                terms.add("3_prime_UTR_variant")
        else:
            if (kind_a == 1 or kind_b == 1 or lo_a != lo_b) and not site:
                terms.add("intron_variant")
            if e > tx.cds_start and s < tx.cds_end and (kind_a == 0 or kind_b == 0):
                terms.add("coding_sequence_variant")
        if coding is not None:
            change = len(self.inserted) - len(self.deleted) if not self.dup else len(
                self.deleted)
            if change % 3:
                terms.add("frameshift_variant")
            elif change > 0:
                terms.add("inframe_insertion")
            elif change < 0:
                terms.add("inframe_deletion")
            else:
                terms.add("coding_sequence_variant")
        return terms, coding

    # -- protein ---------------------------------------------------------------------------

    def _bases(self, n_from: int, n_to: int) -> str:
        """Coding-strand bases c.n_from..c.n_to (1-based, inclusive; numbers past the CDS
        read on into the 3' UTR), cut short at the transcript's end."""
        tx = self.tx
        assert self.genome is not None
        if self.plus:
            a, b = tx.cds_first + n_from - 1, tx.cds_first + n_to
        else:
            a, b = tx.cds_last - n_to + 1, tx.cds_last - n_from + 2
        a, b = max(a, 0), min(b, tx.exon_offsets[-1])
        pieces = []
        i = bisect_right(tx.exon_offsets, a) - 1
        while a < b:
            take = min(b, tx.exon_offsets[i + 1])
            g = tx.exon_starts[i] + a - tx.exon_offsets[i]
            pieces.append(self.genome.fetch(g, g + take - a))
            a, i = take, i + 1
        seq = "".join(pieces)
        return seq if self.plus else _revcomp(seq)

    def _stream(self, n_from: int) -> Iterator[str]:
        """Coding-strand bases from c.n_from to the transcript's end, a chunk at a time."""
        while True:
            chunk = self._bases(n_from, n_from + _READ_CHUNK - 1)
            if not chunk:
                return
            yield chunk
            if len(chunk) < _READ_CHUNK:
                return
            n_from += _READ_CHUNK

    def _protein(self, n1: int, n2: int) -> tuple[str, set[str]]:
        """Short p. name and protein consequences of replacing c.n1..n2 by the inserted bases
        (coding strand); n2 == n1 - 1 is an insertion before c.n1."""
        if self.dup:  # a duplication inserts a copy of c.n1..n2 after c.n2
            ins = self.deleted if self.plus else _revcomp(self.deleted)
            n1, n2 = n2 + 1, n2
        else:
            ins = self.inserted if self.plus else _revcomp(self.inserted)
        frameshift = (len(ins) - (n2 - n1 + 1)) % 3 != 0
        extra = {"frameshift_variant"} if frameshift else set()
        if n1 < 1:
            return "p.M1?", {"start_lost"} | extra  # the change reaches into the 5' UTR
        if n1 <= 3:
            head = self._bases(1, max(n2, 0) + 6)
            if (head[: n1 - 1] + ins + head[n2:])[:3] != head[:3]:
                return "p.M1?", {"start_lost"} | extra
        last = self.cds_len
        touches_stop = (n2 >= last - 2) if n2 >= n1 else (n1 - 1 >= last - 2)
        if frameshift or touches_stop:
            return self._read_on(n1, n2, ins, frameshift)
        return self._window(n1, n2, ins)

    def _window(self, n1: int, n2: int, ins: str) -> tuple[str, set[str]]:
        """An in-frame change away from the stop codon: translate a window of codons around it
        and compare. The common prefix is taken first, so a deletion or insertion in a run of
        repeated residues is named at its C-terminal end (the 3' rule at protein level)."""
        n_codons = self.cds_len // 3
        k0, k_last = (n1 - 1) // 3 + 1, (max(n1, n2) - 1) // 3 + 1
        same_length = len(ins) == n2 - n1 + 1
        ks = k0 if same_length else max(1, k0 - len(ins) // 3 - 2)
        ke = k_last if same_length else min(n_codons, k_last + _WINDOW)
        while True:
            b0 = 3 * ks - 2
            ref_b = self._bases(b0, 3 * ke)
            alt_b = ref_b[: n1 - b0] + ins + ref_b[n2 - b0 + 1 :]
            ref_aa, alt_aa = _translate(ref_b), _translate(alt_b)
            p = _prefix(ref_aa, alt_aa)
            if p == len(ref_aa) == len(alt_aa):
                aa = ref_aa[k0 - ks : k_last - ks + 1]
                if "?" in aa or not aa:
                    return "", {"coding_sequence_variant"}
                if k0 == k_last:
                    return f"p.{aa}{k0}=", {"synonymous_variant"}
                return f"p.{aa[0]}{k0}_{aa[-1]}{k_last}=", {"synonymous_variant"}
            stop = alt_aa.find("*")
            if stop >= 0:
                alt_aa = alt_aa[: stop + 1]
            tail = _suffix(ref_aa, alt_aa, p)
            if tail == 0 and not same_length and ke < n_codons and stop < 0:
                ke = min(n_codons, ke + 3 * _WINDOW)  # a repeat runs to the window's end
                continue
            break
        # a stop where the reference has none (the window may end with the reference stop)
        new_stop = stop >= 0 and stop != len(ref_aa) - 1 + (len(ins) - (n2 - n1 + 1)) // 3
        return _classify(ref_aa, alt_aa, p, tail, ks, self._touched_codons(n1, n2), new_stop)

    @staticmethod
    def _touched_codons(n1: int, n2: int) -> int:
        """The last codon whose own bases the change replaces (an insertion between two codons
        replaces none: the codon before it is returned)."""
        if n2 >= n1:
            return (n2 - 1) // 3 + 1
        return (n1 - 1) // 3 + 1 if (n1 - 1) % 3 else (n1 - 2) // 3 + 1

    def _read_on(self, n1: int, n2: int, ins: str, frameshift: bool) -> tuple[str, set[str]]:
        """A frameshift, or any change touching the stop codon: follow the new sequence codon
        by codon (into the 3' UTR if need be) until it differs from the reference, then to its
        first stop."""
        extra = {"frameshift_variant"} if frameshift else set()
        n_codons = self.cds_len // 3
        ks = (n1 - 1) // 3 + 1
        b0 = 3 * ks - 2
        ref_codons = _residues(self._stream(b0))
        head = self._bases(b0, n1 - 1) if n1 > b0 else ""
        alt_codons = _residues(_chain(head + ins, self._stream(n2 + 1)))
        ref_seen: list[str] = []
        alt_seen: list[str] = []
        j = 0
        while True:
            r = next(ref_codons, None) if ks + j <= n_codons else None
            a = next(alt_codons, None)
            if a is None or r is None:
                return "", extra or {"coding_sequence_variant"}
            ref_seen.append(r)
            alt_seen.append(a)
            if r != a:
                break
            if r == "*":
                return f"p.*{ks + j}=", {"stop_retained_variant"} | extra
            j += 1
        pos = ks + j
        if "?" in (r, a):
            return "", extra or {"coding_sequence_variant"}
        if a == "*":
            return f"p.{r}{pos}*", {"stop_gained"} | extra
        if r == "*" or frameshift:
            count = 1
            for a2 in alt_codons:
                count += 1
                if a2 == "*":
                    break
                if a2 == "?":
                    count = 0
                    break
            else:
                count = -1
            end = "" if count == 0 else ("*?" if count < 0 else
                                         f"*{count - 1 if r == '*' else count}")
            if r == "*":
                return f"p.*{pos}{a}ext{end or '*?'}", {"stop_lost"} | extra
            return f"p.{r}{pos}{a}fs{end}", extra
        # in frame, the first change before the stop codon, the change reaching the stop:
        # compare both proteins up to their stops
        for r2 in ref_codons:
            ref_seen.append(r2)
            if r2 == "*":
                break
        for a2 in alt_codons:
            alt_seen.append(a2)
            if a2 == "*":
                break
        ref_aa, alt_aa = "".join(ref_seen), "".join(alt_seen)
        change = len(ins) - (n2 - n1 + 1)
        if not alt_aa.endswith("*"):
            return "", {"stop_lost", *_inframe(change)}
        expected = len(ref_aa) + change // 3  # where the reference stop codon now lies
        if len(alt_aa) > expected:  # the stop codon is gone: the residues up to it and the
            # stop itself are replaced by what the alternative reads up to its new stop
            stop = ks + len(ref_aa) - 1
            return (f"p.{ref_aa[j]}{pos}_*{stop}delins{alt_aa[j:]}",
                    {"stop_lost", *_inframe(change)})
        return _classify(ref_aa, alt_aa, j, _suffix(ref_aa, alt_aa, j), ks,
                         self._touched_codons(n1, n2), len(alt_aa) < expected)

    # -- all together ----------------------------------------------------------------------

    def run(self) -> Description:
        self._shift()
        tx, s, e = self.tx, self.s, self.e
        hgvsc = self._hgvsc()
        terms, coding = self._terms()
        hgvsp = ""
        if coding is not None and self.genome is not None:
            hgvsp, protein_terms = self._protein(*coding)
            if protein_terms:
                terms = (terms - {"coding_sequence_variant", "frameshift_variant",
                                  "inframe_insertion", "inframe_deletion"}) | protein_terms
        # the first changed base in transcript direction (an insertion's 5' flank)
        five = (s - 1 if s == e else s) if self.plus else (s if s == e else e - 1)
        five = min(max(five, tx.start), tx.end - 1)  # a change reaching past the transcript
        location = tx.locate(five, self.lifted)
        codon = last_codon = cds_position = None
        if coding is not None:
            n1, n2 = coding
            if n2 < n1:  # insertion: the codons either side of it
                n1, n2 = n2, n1
            n1, n2 = max(n1, 1), min(n2, self.cds_len)
            codon, last_codon, cds_position = (n1 - 1) // 3 + 1, (n2 - 1) // 3 + 1, n1
        elif location.coding:
            codon = last_codon = location.codon
            cds_position = location.cds_position
        return Description(
            tx.gene, tx.name, tx.refseq, tx.strand, location.exon, location.intron,
            location.exon_count, location.region, location.splice_distance, codon, last_codon,
            cds_position, hgvsc, hgvsp, _ordered(terms), self.warning, self.lifted,
        )


def _inframe(change: int) -> set[str]:
    return {"inframe_insertion"} if change > 0 else {"inframe_deletion"} if change < 0 else set()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _residues(chunks: Iterator[str]) -> Iterator[str]:
    """Amino acids of a base stream, codon by codon ('?' for codons with N)."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        whole = len(buffer) - len(buffer) % 3
        yield from _translate(buffer[:whole])
        buffer = buffer[whole:]


def _classify(
    ref_aa: str, alt_aa: str, p: int, tail: int, ks: int, touched: int, new_stop: bool
) -> tuple[str, set[str]]:
    """Name an in-frame protein change from two aligned stretches starting at residue `ks`:
    `p` residues agree at the start and `tail` at the end. `new_stop`: `alt_aa` ends at a stop
    the reference does not have there; the protein ends at it, so the change is named by the
    residues whose codons the DNA change replaced (up to codon `touched`) and what replaces
    them up to the stop."""
    pos = ks + p
    if p < len(alt_aa) and alt_aa[p] == "*":
        if p < len(ref_aa) and ref_aa[p] not in "?*":
            return f"p.{ref_aa[p]}{pos}*", {"stop_gained"}
        return "", {"stop_gained"}
    if new_stop:
        ref_core = ref_aa[p : max(p, touched - ks + 1)]
        alt_core = alt_aa[p:]
        terms = {"stop_gained", *_inframe(len(alt_core) - len(ref_core))}
    else:
        ref_core = ref_aa[p : len(ref_aa) - tail]
        alt_core = alt_aa[p : len(alt_aa) - tail]
        terms = set()
    if "?" in ref_core + alt_core or "*" in ref_core:
        return "", terms or {"coding_sequence_variant"}
    if not ref_core and alt_core:
        n = len(alt_core)
        if not new_stop and p >= n and ref_aa[p - n : p] == alt_core:
            first = pos - n
            name = f"{alt_core[0]}{first}" + (f"_{alt_core[-1]}{pos - 1}" if n > 1 else "")
            return f"p.{name}dup", {"inframe_insertion"}
        if p == 0 or p >= len(ref_aa) or "?" in ref_aa[p - 1 : p + 1]:
            return "", terms | {"inframe_insertion"}
        return (f"p.{ref_aa[p - 1]}{pos - 1}_{ref_aa[p]}{pos}ins{alt_core}",
                terms | {"inframe_insertion"})
    if not ref_core:
        return "", terms or {"coding_sequence_variant"}
    end = pos + len(ref_core) - 1
    span = f"{ref_core[0]}{pos}" + (f"_{ref_core[-1]}{end}" if end > pos else "")
    if not alt_core:
        return f"p.{span}del", terms | {"inframe_deletion"}
    if len(ref_core) == len(alt_core) == 1:
        return f"p.{span}{alt_core}", terms | {"missense_variant"}
    change = len(alt_core) - len(ref_core)
    return f"p.{span}delins{alt_core}", terms | (_inframe(change) or {"missense_variant"})
