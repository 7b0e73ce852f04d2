"""Where a position falls in a gene: MANE transcript, exon or intron, codon — offline.

Knowledge bases speak in genes, exons and codons ("EGFR exon 19 deletion", "KRAS G12",
"MET exon 14 skipping"), VCFs in chromosome positions. When a VCF carries no VEP/SnpEff
annotation, or the board wants the MANE Select numbering rather than whatever transcript the
caller picked, this module places the position itself, from the shipped snapshots:

* MANE v1.2 exon/CDS structure (`MANE.GRCh38.v1.2.ucsc_bigGenePred.tsv.gz`, GRCh38, 0-based
  half-open): `locate`. GRCh37 positions are lifted to GRCh38 first (`annotation.liftover`)
  and the Location says so. HGVS names and protein changes are annotation.hgvs's, on the
  transcripts `transcript_at` gives.
* MANE v1.5 summary (GRCh38 gene spans, and the current HGNC symbols for all tables) and
  Ensembl GRCh37 gene spans (`ensembl_genes_37.txt.gz`): `genes_in`, `gene_at`. Segments are
  never lifted: a 10 Mb CNV segment does not lift as one piece, and each build has its own
  native spans.

Gene universe and names are MANE's on both builds, so a segment or a variant names the same
genes whichever build the file is on and the names match the knowledge bases: symbols come from
the v1.5 summary (joined on NCBI GeneID for the v1.2 exons, on the Ensembl gene id for
GRCh37, falling back to the symbol), and GRCh37 genes that are not MANE genes (pseudogenes,
most lncRNAs and miRNAs in the Ensembl export) are left out.

Performance: tables load lazily on first use (MANE exons + summary ~0.3 s) and are cached;
`locate` is one bisect into precomputed elementary intervals (each holding the transcripts
overlapping it), then one bisect into the chosen transcript's exons.
"""

from __future__ import annotations

import gzip
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, repeat
from operator import add
from pathlib import Path

from annotation.liftover import Liftover
from mtb.errors import KnowledgeBaseError
from mtb.variant import GenomeBuild, normalize_chrom

DEFAULT_GENES_DIR = Path(__file__).resolve().parent / "snapshots" / "genes"
MANE_EXONS = "MANE.GRCh38.v1.2.ucsc_bigGenePred.tsv.gz"
MANE_SUMMARY = "MANE.GRCh38.v1.5.summary.txt.gz"
ENSEMBL_37 = "ensembl_genes_37.txt.gz"

PRIMARY_CHROMS = frozenset([str(n) for n in range(1, 23)] + ["X", "Y", "MT"])

# Distances (bases) that define the splice regions, as VEP's splice_region_variant does:
SPLICE_SITE_INTRON = 2  # intron +1/+2 (donor) and -1/-2 (acceptor): the canonical GT..AG
SPLICE_REGION_INTRON = 8  # intron 3-8 bases from the exon
SPLICE_REGION_EXON = 3  # exon 1-3 bases from an exon-intron junction
_FAR = 1 << 40  # "no junction on this side" (first/last exon)


@dataclass(frozen=True, slots=True)
class Location:
    """A GRCh38 position placed on one MANE transcript.

    `region` is the most splice-specific label: a coding base 1-3 bp from a junction is
    'splice_region', yet keeps its `cds_position` and `codon` (ask `coding`, not `region`,
    whether it is in the CDS).

    `splice_distance` is the signed offset from the nearest exon-intron junction in transcript
    direction, so that intronic values read exactly as HGVS offsets: +n is n bases into the
    intron after an exon (donor side, c.N+n), -n is n bases before the next exon (acceptor
    side, c.N-n); HGVS's rule for the middle of an intron applies (an odd middle base is +).
    Exonic bases within 3 bp of a junction count the same way: -1..-3 are the last exon bases
    before a donor, +1..+3 the first exon bases after an acceptor. None deep in an exon.
    """

    gene: str
    transcript: str  # ENST, versioned
    refseq: str  # NM_, versioned
    strand: str  # '+' or '-'
    exon: int | None  # in transcript direction
    intron: int | None
    exon_count: int
    region: str  # cds, utr5, utr3, intron, splice_site, splice_region
    splice_distance: int | None
    cds_position: int | None  # c. number (1 = A of ATG); the stop codon is inside the CDS
    codon: int | None  # protein residue number
    liftover: str = ""  # 'GRCh37->GRCh38 7:140453136->7:140753336' when the input was lifted

    @property
    def coding(self) -> bool:
        return self.cds_position is not None


class _Transcript:
    """One MANE transcript on GRCh38, 0-based half-open, exons in genomic order.

    `exon_offsets[i]` counts the exonic bases left of exon i, so a position's place in the
    spliced transcript (read left to right) is one subtraction; the CDS is the stretch between
    `cds_first` and `cds_last` of that coordinate. Built with `accumulate` at load time: cheaper
    than any per-exon CDS table, and nothing is left to compute lazily on the hot path.
    """

    __slots__ = (
        "cds_end",
        "cds_first",
        "cds_last",
        "cds_start",
        "chrom",
        "end",
        "exon_ends",
        "exon_offsets",
        "exon_starts",
        "gene",
        "gene_id",
        "name",
        "refseq",
        "select",
        "start",
        "strand",
    )

    def __init__(
        self,
        chrom: str,
        strand: str,
        cds: tuple[int, int],
        exon_starts: tuple[int, ...],
        sizes: list[int],
        ids: tuple[str, str, str, str],  # ENST, NM_, symbol, NCBI GeneID
        select: bool,
    ) -> None:
        if len(sizes) != len(exon_starts):
            raise ValueError("blockSizes and chromStarts differ in length")
        self.chrom = chrom
        self.strand = strand
        self.cds_start, self.cds_end = cds
        self.exon_starts = exon_starts
        self.exon_ends = tuple(map(add, exon_starts, sizes))
        self.exon_offsets = tuple(accumulate(sizes, initial=0))
        self.start, self.end = exon_starts[0], self.exon_ends[-1]
        self.name, self.refseq, self.gene, self.gene_id = ids
        self.select = select
        first, last = self.spliced(self.cds_start), self.spliced(self.cds_end - 1)
        if first is None or last is None or last < first:
            raise ValueError("CDS ends outside the exons")
        self.cds_first, self.cds_last = first, last

    def spliced(self, pos0: int) -> int | None:
        """0-based offset of a genomic position in the spliced exons (left to right)."""
        i = bisect_right(self.exon_starts, pos0) - 1
        if i < 0 or pos0 >= self.exon_ends[i]:
            return None
        return self.exon_offsets[i] + pos0 - self.exon_starts[i]

    def rank(self, pos0: int) -> tuple[bool, bool, int, str]:
        """Sort key among overlapping transcripts: CDS first, then exon, then the shortest."""
        i = bisect_right(self.exon_starts, pos0) - 1
        in_exon = pos0 < self.exon_ends[i]
        in_cds = in_exon and self.cds_start <= pos0 < self.cds_end
        return (not in_cds, not in_exon, self.end - self.start, self.name)

    def cds_position(self, pos0: int) -> int | None:
        """c. number of a 0-based genomic position, None outside the CDS."""
        if not self.cds_start <= pos0 < self.cds_end:
            return None
        offset = self.spliced(pos0)
        if offset is None:
            return None
        if self.strand == "+":
            return offset - self.cds_first + 1
        return self.cds_last - offset + 1

    def genomic(self, cds_pos: int) -> int | None:
        """0-based genomic position of a c. number, None beyond the CDS."""
        if not 1 <= cds_pos <= self.cds_last - self.cds_first + 1:
            return None
        plus = self.strand == "+"
        offset = self.cds_first + cds_pos - 1 if plus else self.cds_last - cds_pos + 1
        i = bisect_right(self.exon_offsets, offset) - 1
        return self.exon_starts[i] + offset - self.exon_offsets[i]

    def locate(self, pos0: int, liftover: str = "") -> Location:
        """The Location of a 0-based position inside this transcript's span (hot path: 50,000
        calls must stay well under a second, hence the inlined arithmetic)."""
        starts = self.exon_starts
        n = len(starts)
        i = bisect_right(starts, pos0) - 1
        exon_end = self.exon_ends[i]
        plus = self.strand == "+"
        exon = intron = cds_position = codon = distance = None
        if pos0 < exon_end:
            exon_start = starts[i]
            exon = i + 1 if plus else n - i
            # bases from the exon's genomic left/right junction (1 = the base next to it);
            # transcript direction makes the left one an acceptor on '+', a donor on '-'
            left = pos0 - exon_start + 1 if i > 0 else _FAR
            right = exon_end - pos0 if i < n - 1 else _FAR
            if left <= right:
                if left <= SPLICE_REGION_EXON:
                    distance = left if plus else -left
            elif right <= SPLICE_REGION_EXON:
                distance = -right if plus else right
            cds_start, cds_end = self.cds_start, self.cds_end
            if cds_start <= pos0 < cds_end:
                offset = self.exon_offsets[i] + pos0 - exon_start
                cds_position = offset - self.cds_first + 1 if plus else self.cds_last - offset + 1
                codon = (cds_position + 2) // 3
                region = "cds"
            elif (pos0 < cds_start) == plus:
                region = "utr5"
            else:
                region = "utr3"
            if distance is not None:
                region = "splice_region"
        else:
            intron = i + 1 if plus else n - 1 - i
            after_left = pos0 - exon_end + 1  # 1 = first intron base
            before_right = starts[i + 1] - pos0  # 1 = last intron base
            donor, acceptor = (after_left, before_right) if plus else (before_right, after_left)
            if donor <= acceptor:  # HGVS: an odd middle base counts from the donor (+)
                distance, gap = donor, donor
            else:
                distance, gap = -acceptor, acceptor
            if gap <= SPLICE_SITE_INTRON:
                region = "splice_site"
            elif gap <= SPLICE_REGION_INTRON:
                region = "splice_region"
            else:
                region = "intron"
        return Location(
            self.gene,
            self.name,
            self.refseq,
            self.strand,
            exon,
            intron,
            n,
            region,
            distance,
            cds_position,
            codon,
            liftover,
        )


class _Spans:
    """Gene spans of one build, per chromosome sorted by start (1-based inclusive)."""

    def __init__(self, rows: list[tuple[str, int, int, str]]) -> None:
        by_chrom: dict[str, list[tuple[int, int, str]]] = {}
        for chrom, start, end, symbol in rows:
            by_chrom.setdefault(chrom, []).append((start, end, symbol))
        self._index: dict[str, tuple[list[int], list[int], list[str], int]] = {}
        for chrom, spans in by_chrom.items():
            spans.sort()
            self._index[chrom] = (
                [s for s, _, _ in spans],
                [e for _, e, _ in spans],
                [g for _, _, g in spans],
                max(e - s for s, e, _ in spans),
            )

    def overlapping(self, chrom: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Spans overlapping [start, end]: the longest span bounds how far back to look."""
        entry = self._index.get(chrom)
        if entry is None:
            return []
        starts, ends, symbols, longest = entry
        lo = bisect_left(starts, start - longest)
        hi = bisect_right(starts, end)
        return [(starts[k], ends[k], symbols[k]) for k in range(lo, hi) if ends[k] >= start]


class GeneModel:
    """MANE transcripts and gene spans of both builds; every table is read on first use."""

    def __init__(self, genes_dir: Path | None = None, liftover: Liftover | None = None) -> None:
        self.genes_dir = Path(genes_dir) if genes_dir is not None else DEFAULT_GENES_DIR
        self.liftover = liftover if liftover is not None else Liftover.bundled()
        self._lock = threading.Lock()
        self._summary: _Summary | None = None
        # per chromosome: elementary-interval bounds and the transcripts overlapping each
        self._intervals: dict[str, tuple[list[int], list[tuple[_Transcript, ...]]]] | None = None
        self._mane_spans: list[tuple[str, int, int, str, str]] = []  # chrom, 1-based, GeneID, gene
        self._select: dict[str, _Transcript] = {}  # gene symbol -> its MANE Select transcript
        self._spans: dict[GenomeBuild, _Spans] = {}
        self._chrom_names: dict[str, str] = {}

    @classmethod
    def bundled(cls) -> GeneModel:
        """The shared model on the shipped snapshots (tables still load on first use)."""
        return _bundled_model()

    # -- positions -------------------------------------------------------------------------

    def locate(
        self, build: GenomeBuild, chrom: str, pos: int, ref: str = "", alt: str = ""
    ) -> Location | None:
        """Place a 1-based position on its MANE transcript; None outside every transcript.

        GRCh37 positions are lifted to GRCh38 first (None if they do not lift); UNKNOWN is None.
        With REF/ALT the first changed base is located: a VCF deletion's anchor base is skipped
        (the first deleted base counts), an insertion stays on its anchor. Where transcripts
        overlap, a gene's MANE Select wins over its Plus Clinical transcript whenever both
        cover the position (so exon and codon numbers are the Select's, as reports use), then
        the transcript whose CDS holds the position, then one whose exon does, then the
        shortest.
        """
        if len(ref) > 1:
            pos += _shared_prefix(ref, alt)
        norm = self._chrom_names.get(chrom) or self._norm(chrom)
        if build == GenomeBuild.GRCH38:
            tx = self._transcript_at(norm, pos - 1)
            return None if tx is None else tx.locate(pos - 1)
        if build != GenomeBuild.GRCH37:
            return None  # UNKNOWN: never guessed
        target = self.liftover.convert(chrom, pos, GenomeBuild.GRCH37, GenomeBuild.GRCH38)
        if target is None:
            return None
        tx = self._transcript_at(target[0], target[1] - 1)
        if tx is None:
            return None
        return tx.locate(target[1] - 1, f"GRCh37->GRCh38 {norm}:{pos}->{target[0]}:{target[1]}")

    def _transcript_at(self, norm: str, pos0: int) -> _Transcript | None:
        intervals = self._intervals if self._intervals is not None else self._load_mane()
        entry = intervals.get(norm)
        if entry is None:
            return None
        bounds, overlapping = entry
        k = bisect_right(bounds, pos0) - 1
        if k < 0:
            return None
        candidates = overlapping[k]
        if len(candidates) < 2:
            return candidates[0] if candidates else None
        return min(candidates, key=lambda tx: tx.rank(pos0))

    def _norm(self, chrom: str) -> str:
        norm = self._chrom_names.get(chrom)
        if norm is None:
            norm = self._chrom_names[chrom] = normalize_chrom(chrom)
        return norm

    # -- segments --------------------------------------------------------------------------

    def genes_in(self, build: GenomeBuild, chrom: str, start: int, end: int) -> list[str]:
        """Genes whose span overlaps [start, end] (1-based inclusive), sorted by start.

        Native spans of `build`, never lifted: GRCh38 from MANE (v1.5 summary spans, which
        cover Select and Plus Clinical transcripts, plus the v1.2 spans of the 5 genes v1.5
        dropped, so that every gene `locate` can name is found here too), GRCh37 from the
        Ensembl export (primary chromosomes, MANE genes only). [] for UNKNOWN.
        """
        if end < start:
            raise ValueError(f"segment end {end} is before its start {start}")
        spans = self._gene_spans(build)
        if spans is None:
            return []
        hits = spans.overlapping(self._norm(chrom), start, end)
        return list(dict.fromkeys(symbol for _, _, symbol in hits))

    def gene_at(self, build: GenomeBuild, chrom: str, pos: int) -> str | None:
        """The gene spanning a position (an SV breakpoint) on `build`'s native spans, like
        `genes_in`; where genes nest or overlap, the shortest span (the most specific) wins."""
        spans = self._gene_spans(build)
        if spans is None:
            return None
        hits = spans.overlapping(self._norm(chrom), pos, pos)
        if not hits:
            return None
        return min(hits, key=lambda hit: (hit[1] - hit[0], hit[0], hit[2]))[2]

    # -- transcripts ---------------------------------------------------------------------

    def transcript_at(self, chrom: str, pos0: int) -> _Transcript | None:
        """The MANE transcript `locate` would pick at a 0-based GRCh38 position (chromosome
        written any way): annotation.hgvs reads its geometry."""
        return self._transcript_at(self._chrom_names.get(chrom) or self._norm(chrom), pos0)

    def exon_of_codon(self, gene: str, codon: int) -> int | None:
        """Exon (MANE Select numbering) holding the first base of a codon: lets a protein
        change given as text (EGFR E746_A750del) reach exon classes (EGFR exon 19 deletion)."""
        self._load_mane()
        transcript = self._select.get(gene)
        if transcript is None:
            return None
        pos0 = transcript.genomic((codon - 1) * 3 + 1)
        return transcript.locate(pos0).exon if pos0 is not None else None

    def exon_count(self, gene: str) -> int | None:
        """Exons of the gene's MANE Select transcript (a frameshift in the last one escapes
        nonsense-mediated decay: NPM1 exon 11, CALR exon 9)."""
        self._load_mane()
        transcript = self._select.get(gene)
        return len(transcript.exon_starts) if transcript is not None else None

    # -- loading ---------------------------------------------------------------------------

    def _summary_table(self) -> _Summary:
        if self._summary is None:
            with self._lock:
                if self._summary is None:
                    self._summary = _Summary.read(self.genes_dir / MANE_SUMMARY)
        return self._summary

    def _load_mane(self) -> dict[str, tuple[list[int], list[tuple[_Transcript, ...]]]]:
        summary = self._summary_table()
        with self._lock:
            if self._intervals is None:
                transcripts = _read_mane_exons(self.genes_dir / MANE_EXONS, summary)
                self._intervals = _elementary_intervals(transcripts)
                self._mane_spans = [
                    (tx.chrom, tx.start + 1, tx.end, tx.gene_id, tx.gene) for tx in transcripts
                ]
                self._select = {tx.gene: tx for tx in transcripts if tx.select}
        return self._intervals

    def _gene_spans(self, build: GenomeBuild) -> _Spans | None:
        if build == GenomeBuild.UNKNOWN:
            return None
        spans = self._spans.get(build)
        if spans is not None:
            return spans
        summary = self._summary_table()
        if build == GenomeBuild.GRCH38:
            self._load_mane()
            rows = summary.spans38(self._mane_spans)
        else:
            rows = _read_ensembl37(self.genes_dir / ENSEMBL_37, summary)
        spans = _Spans(rows)
        with self._lock:
            self._spans.setdefault(build, spans)
        return self._spans[build]


# ---------------------------------------------------------------------------------------------
# reading the snapshots


def _lines(path: Path, header: str) -> list[str]:
    """Data lines of a gzipped table whose first line starts with `header`."""
    if not path.is_file():
        raise KnowledgeBaseError(f"{path}: gene snapshot is missing")
    try:
        with gzip.open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: gene snapshot is corrupt ({exc})") from exc
    lines = text.splitlines()
    if not lines or not lines[0].startswith(header):
        raise KnowledgeBaseError(f"{path}: gene snapshot does not start with '{header}'")
    return lines[1:]


class _Summary:
    """MANE v1.5 summary: the current symbol of every MANE gene, and GRCh38 gene spans."""

    def __init__(self) -> None:
        self.symbol_by_gene_id: dict[str, str] = {}
        self.symbol_by_ensg: dict[str, str] = {}
        self.symbols: set[str] = set()
        self.primary: dict[str, tuple[str, int, int, str]] = {}  # GeneID -> span on NC_

    @classmethod
    def read(cls, path: Path) -> _Summary:
        table = cls()
        for number, line in enumerate(_lines(path, "#NCBI_GeneID"), start=2):
            fields = line.split("\t")
            try:
                gene_id, ensg, symbol = fields[0], fields[1].split(".")[0], fields[3]
                chrom, start, end = fields[10], int(fields[11]), int(fields[12])
            except (IndexError, ValueError) as exc:
                raise KnowledgeBaseError(f"{path}, line {number}: malformed row") from exc
            table.symbol_by_gene_id[gene_id] = symbol
            table.symbol_by_ensg[ensg] = symbol
            table.symbols.add(symbol)
            if chrom.startswith("NC_0000"):  # primary assembly; NT_/NW_ are alt/fix scaffolds
                norm = normalize_chrom(chrom)
                old = table.primary.get(gene_id)
                if old is not None:  # Select + Plus Clinical: the gene spans both
                    start, end = min(start, old[1]), max(end, old[2])
                table.primary[gene_id] = (norm, start, end, symbol)
        return table

    def spans38(
        self, mane_spans: list[tuple[str, int, int, str, str]]
    ) -> list[tuple[str, int, int, str]]:
        """Summary spans, plus v1.2 transcript spans of genes the summary has no primary span
        for (SLC22A10, SMIM2, TSTD3, PRY, PRY2: MANE genes in v1.2 that v1.5 dropped)."""
        rows = dict(self.primary)
        for chrom, start, end, gene_id, gene in mane_spans:
            if gene_id in self.primary:
                continue
            old = rows.get(gene_id)
            if old is not None:
                start, end = min(start, old[1]), max(end, old[2])
            rows[gene_id] = (chrom, start, end, gene)
        return list(rows.values())


def _read_mane_exons(path: Path, summary: _Summary) -> list[_Transcript]:
    transcripts = []
    symbols = summary.symbol_by_gene_id  # "GeneID:N" -> current symbol
    chroms: dict[str, str] = {}
    for number, line in enumerate(_lines(path, "#chrom"), start=2):
        fields = line.split("\t")
        if "_" in fields[0]:
            continue  # alt/fix scaffolds: inputs are on the primary assembly
        chrom = chroms.get(fields[0]) or chroms.setdefault(fields[0], normalize_chrom(fields[0]))
        try:
            offsets = fields[11].rstrip(",").split(",")
            tx = _Transcript(
                chrom=chrom,
                strand=fields[5],
                cds=(int(fields[6]), int(fields[7])),
                exon_starts=tuple(map(add, repeat(int(fields[1])), map(int, offsets))),
                sizes=list(map(int, fields[10].rstrip(",").split(","))),
                ids=(fields[3], fields[21], symbols.get(fields[22]) or fields[18], fields[22]),
                select=fields[24] == "MANE Select",
            )
            if tx.strand not in ("+", "-") or tx.end != int(fields[2]):
                raise ValueError("strand or end disagree with the exons")
        except (IndexError, ValueError) as exc:
            raise KnowledgeBaseError(f"{path}, line {number}: malformed row ({exc})") from exc
        transcripts.append(tx)
    return transcripts


def _elementary_intervals(
    transcripts: list[_Transcript],
) -> dict[str, tuple[list[int], list[tuple[_Transcript, ...]]]]:
    """Cut each chromosome at every transcript start and end; for each piece keep the
    transcripts covering it, already without Plus Clinical transcripts whose gene's Select also
    covers the piece. A lookup is then a single bisect."""
    by_chrom: dict[str, list[_Transcript]] = {}
    for tx in transcripts:
        by_chrom.setdefault(tx.chrom, []).append(tx)
    index = {}
    for chrom, txs in by_chrom.items():
        events: dict[int, list[tuple[bool, _Transcript]]] = {}
        for tx in txs:
            events.setdefault(tx.start, []).append((True, tx))
            events.setdefault(tx.end, []).append((False, tx))
        active: dict[str, _Transcript] = {}
        bounds: list[int] = []
        pieces: list[tuple[_Transcript, ...]] = []
        for at in sorted(events):
            for opening, tx in events[at]:
                if opening:
                    active[tx.name] = tx
                else:
                    del active[tx.name]
            selects = {tx.gene_id for tx in active.values() if tx.select}
            bounds.append(at)
            pieces.append(
                tuple(tx for tx in active.values() if tx.select or tx.gene_id not in selects)
            )
        index[chrom] = (bounds, pieces)
    return index


def _read_ensembl37(path: Path, summary: _Summary) -> list[tuple[str, int, int, str]]:
    rows = []
    for number, line in enumerate(_lines(path, "#Chromosome/scaffold name"), start=2):
        fields = line.split("\t")
        if len(fields) < 5 or fields[0] not in PRIMARY_CHROMS or not fields[3]:
            continue
        symbol = summary.symbol_by_ensg.get(fields[4].split(".")[0])
        if symbol is None:
            if fields[3] not in summary.symbols:
                continue  # not a MANE gene: see the module docstring
            symbol = fields[3]
        try:
            rows.append((fields[0], int(fields[1]), int(fields[2]), symbol))
        except ValueError as exc:
            raise KnowledgeBaseError(f"{path}, line {number}: malformed row") from exc
    return rows


# ---------------------------------------------------------------------------------------------


def _shared_prefix(ref: str, alt: str) -> int:
    """Bases REF and ALT share at the start, as long as REF keeps one: a VCF deletion's anchor
    is skipped, an insertion (nothing left of REF) stays on its anchor base."""
    shared = 0
    while shared < len(ref) - 1 and shared < len(alt) and ref[shared] == alt[shared]:
        shared += 1
    return shared


@cache
def _bundled_model() -> GeneModel:
    return GeneModel()


@cache
def report_accessions(model: GeneModel) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """What a FHIR report names beside the gene model's placements, from the same MANE summary:
    the HGNC id by gene symbol, the protein of each versioned transcript (NM->NP, ENST->ENSP:
    another transcript version may encode another protein version, so no unversioned match),
    and the GRCh38 chromosome accession (NC_) by chromosome name. KnowledgeBaseError when the
    snapshot is missing or damaged."""
    hgnc: dict[str, str] = {}
    protein: dict[str, str] = {}
    chromosomes: dict[str, str] = {}
    for line in _lines(model.genes_dir / MANE_SUMMARY, "#NCBI_GeneID"):
        fields = line.split("\t")
        if line.startswith("#") or len(fields) < 11:
            continue
        hgnc.setdefault(fields[3], fields[2])
        for nuc, prot in ((fields[5], fields[6]), (fields[7], fields[8])):
            if nuc and prot:
                protein.setdefault(nuc, prot)
        accession = fields[10]
        if accession.startswith("NC_0000"):
            chromosomes.setdefault(normalize_chrom(accession), accession)
        elif accession.startswith("NC_012920"):
            chromosomes.setdefault("MT", accession)
    return hgnc, protein, chromosomes
