"""Which data lines the columnar path may read itself: one regular expression per FORMAT layout.

The columnar path must give exactly what htslib (through cyvcf2) gives the per-record path, and
must never accept a line the per-record path would refuse. So it reads only lines that are
*plainly* sound, where htslib's reading is not in doubt: every fixed column well formed, every
FORMAT value of its declared type written the plain way (digits, '.', a decimal or scientific
number, a genotype), exactly as many values as FORMAT names. Anything else — a negative count,
'nan', an empty value, a symbolic or breakend ALT, a space, a byte outside ASCII, an undeclared
FORMAT key — is *doubtful*, and the batch holding it is read by the per-record reader, which
says what is wrong and where, or reads it as it always did.

htslib is lenient with INFO values (junk in a numeric INFO value is read as missing, never an
error, checked here with cyvcf2 0.35), and the columnar conventions read no INFO: INFO has to
be printable ASCII with keys htslib can declare. The whole pattern is possessive: one C-speed
pass, no backtracking.
"""

from __future__ import annotations

import re

from mtb.ingest.header import VcfHeader
from mtb.ingest.lines import _CHROM_RE

FLOAT = (
    rb"(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]{1,3})?|\.[0-9]+(?:[eE][-+]?[0-9]{1,3})?|\.)"
)
GENOTYPE = rb"(?:\.|[0-9]{1,4})(?:[/|](?:\.|[0-9]{1,4}))*"

# htslib adds an undeclared FILTER name or INFO key to the header as it reads the record, and
# fails on the record when the name breaks a header line (',', '<' or '>'; checked here with
# cyvcf2 0.35). Such names are doubtful; any other printable name is read alike by both paths.
_FILTER_NAME = rb"[A-Za-z0-9_+-][!-+\-.-:=?-~]*"  # no ';' ',' '<' '>'
_INFO_ENTRY = rb"[ -+\-.-:?-~]*+(?:=[ -:<-~]*+)?+"  # key without ',' ';' '<' '=' '>', value

FIXED = (
    _CHROM_RE
    + rb"\t[1-9][0-9]{0,8}"  # POS
    + rb"\t[!-~]+"  # ID
    + rb"\t[ACGTNacgtn]+"  # REF
    + rb"\t(?:[ACGTNacgtn]+|\*)(?:,(?:[ACGTNacgtn]+|\*))*"  # ALT: bases or '*'
    + rb"\t(?:\.|-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]{1,2})?)"  # QUAL
    + rb"\t(?:\.|" + _FILTER_NAME + rb"(?:;" + _FILTER_NAME + rb")*)"  # FILTER
    + rb"\t(?=[^\t\n])(?:" + _INFO_ENTRY + rb"(?:;" + _INFO_ENTRY + rb")*+)"  # INFO, not empty
)


INTEGER = rb"(?:\.|[0-9]{1,9})"  # at most 9 digits: within int32, never htslib's 'missing'
STRING = rb"[!-9;-~]*"  # printable, no ':' and no space
FLOAT_VALUES = re.compile((FLOAT + rb"(?:," + FLOAT + rb")*").decode())


def _values(one: bytes) -> bytes:
    return one + rb"(?:," + one + rb")*"


def field_pattern(key: str, declared: str | None) -> bytes | None:
    """The plain spelling of one sample's value of a FORMAT key; None when there is none."""
    if key == "GT":
        return GENOTYPE
    return {"Integer": _values(INTEGER), "Float": _values(FLOAT), "String": STRING,
            "Character": STRING}.get(declared or "")


class SoundLines:
    """The FORMAT layouts seen so far, and the pattern that matches a run of plain lines."""

    def __init__(self, header: VcfHeader) -> None:
        self.header = header
        self.samples = len(header.samples)
        self.layouts: dict[bytes, bytes] = {}  # layout -> pattern of one sample column
        self.pattern: re.Pattern[bytes] | None = None

    def sample_pattern(self, layout: bytes) -> bytes | None:
        parts = []
        for key in layout.decode("ascii").split(":"):
            decl = self.header.format.get(key)
            if decl is None and key != "GT":
                return None  # undeclared: htslib guesses String; left to the per-record path
            part = field_pattern(key, decl.type if decl else None)
            if part is None:
                return None
            parts.append(part)
        return b":".join(parts)

    def learn(self, layout: bytes) -> bool:
        """Add a layout; False when its values cannot be checked plainly."""
        if layout in self.layouts:
            return True
        if not re.fullmatch(rb"[A-Za-z0-9_]+(?::[A-Za-z0-9_]+)*", layout):
            return False
        keys = layout.split(b":")
        sample = self.sample_pattern(layout)
        if len(set(keys)) != len(keys) or sample is None:
            return False
        self.layouts[layout] = sample
        known = rb"|".join(
            re.escape(name) + (rb"\t" + pattern) * self.samples
            for name, pattern in self.layouts.items()
        )
        line = FIXED + rb"\t(?:" + known + rb")\n"
        self.pattern = re.compile(rb"(?:" + line + rb")*+")
        return True
