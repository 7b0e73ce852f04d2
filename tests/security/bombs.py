"""Decompression bombs, made by the tests themselves: small gzip files that expand to gigabytes.

One gzip member holds 16 MiB of one VCF record repeated; the file is that member written again
and again after a member with the header (Python's gzip, htslib and every BGZF reader read
concatenated members as one stream). 2 GiB of text (some 28 million records) fit in ~2 MB.
"""

from __future__ import annotations

import zlib
from pathlib import Path

HEADER = (b"##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n"
          b'##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
          b'##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
          b'##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">\n'
          b'##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
          b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n")
RECORD = b"chr1\t12345\t.\tA\tG\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:10,5:0.33:15\n"
BLOCK = 16 * 2**20


def _member(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip member
    return packer.compress(data) + packer.flush()


def vcf_bomb(path: Path, expands_to: int = 2 * 2**30) -> Path:
    """A gzipped VCF that expands to `expands_to` bytes of one repeated record."""
    block = RECORD * (BLOCK // len(RECORD))
    member = _member(block)
    with path.open("wb") as out:
        out.write(_member(HEADER))
        for _ in range(max(1, expands_to // len(block))):
            out.write(member)
    return path
