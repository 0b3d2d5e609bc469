"""Writes atoms.txt: for each pattern, how YARA-X 1.22 (Python binding)
searches a rule set holding it. A probe pattern `"\\x00\\x00" ascii wide`
(two atoms of 2 and 4 bytes) reports its wide match at offset 0 of 24
zero bytes when YARA-X searches with Teddy and its ascii match with
daachorse; literal fillers are added until Teddy gives up, which shows
how many atoms YARA-X gave the pattern. Column 1 is the largest filler
count with Teddy (-1: none). Patterns: those of slow.txt and EXTRA;
the ones YARA-X rejects are left out. Usage: python3 gen_atoms.py
"""
import os, yara_x

EXTRA = [
    "{ 20 00 ( 41 | 00 FF ) 4? [3-5] FF }",
    "{ 20 00 ( 41 | 00 FF ) }",
    "{ 20 00 ( 41 | 00 FF ) 4? }",
    "{ 20 ( 41 | 00 FF ) }",
    "{ 20 00 ( 41 | 42 ) }",
    "{ 31 32 33 ( 41 | 00 FF ) }",
    "{ 20 00 41 4? }",
    "{ 41 42 [2-4] 43 44 45 }",
    "{ 41 ?? 43 [1-2] ( 44 45 | 46 4? ) }",
    "{ 4? 4? 4? 4? }",
    "{ ?1 ?2 ?3 ?4 ?5 }",
    "{ 01 02 ( 03 | 04 | 05 ) [4] 06 }",
    "{ 00 00 [1-3] 00 00 00 }",
    "{ FF FF ?? ?? FF FF [2-8] 90 90 }",
    "{ 4D 5A [60] 50 45 00 00 }",
    "{ 6A 40 68 00 30 00 00 6A 14 8D 91 }",
    "{ ( 41 | 42 | 43 ) ( 44 | 45 ) 46 }",
    "{ 41 [0-300] 42 43 44 [0-300] 45 46 47 }",
    "/abc[0-9]{2,4}def/",
    "/ab.{1,3}cd/",
    "/ab.{1,3}cd/s",
    "/(abc|de)fgh/",
    "/[Aa]bcd/",
    "/abcd/i",
    "/abcd/ wide",
    "/a(bc|de)f/ ascii wide",
    "/\\x20\\x00(A|\\x00\\xff)[\\x40-\\x4f]/",
]

here = os.path.dirname(os.path.abspath(__file__))
pats = []
for line in open(os.path.join(here, "slow.txt")):
    line = line.rstrip("\n")
    if line.startswith("#") or " " not in line:
        continue
    pats.append(line.split(" ", 1)[1])
pats += EXTRA

DATA = b"\x00" * 24


def teddy(p, k):
    fill = " ".join('$f%d = "filler%03d"' % (i, i) for i in range(k))
    src = ("rule r { strings: $a = \"\\x00\\x00\" ascii wide $x = %s "
           "condition: $a and #x >= 0 }\n" % p)
    if k:
        src += "rule s { strings: %s condition: any of them }\n" % fill
    res = yara_x.Scanner(yara_x.compile(src)).scan(DATA)
    for r in res.matching_rules:
        for m in r.patterns:
            if m.identifier == "$a":
                return m.matches[0].length == 4
    raise AssertionError(p)


out = []
for p in dict.fromkeys(pats):
    try:
        yara_x.compile("rule r { strings: $x = %s condition: $x }" % p)
    except Exception:
        continue
    if not teddy(p, 0):
        out.append("-1 " + p)
        continue
    lo, hi = 0, 62  # teddy(lo) holds; find the largest
    if teddy(p, hi):
        lo = hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if teddy(p, mid):
            lo = mid
        else:
            hi = mid - 1
    out.append("%d %s" % (lo, p))
head = [
    "# How YARA-X 1.22.1 searches a rule set holding each pattern (see",
    "# gen_atoms.py, which wrote this file): the largest number of filler",
    "# literals beside it and a probe with which YARA-X still uses Teddy",
    "# (-1: never). Replayed by `atom_counts.rs`.",
]
open(os.path.join(here, "atoms.txt"), "w").write("\n".join(head + out) + "\n")
print(len(out), "patterns")
