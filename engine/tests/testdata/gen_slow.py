"""Re-checks slow.txt against YARA-X (Python binding): for every pattern
(one a line after the verdict; `#` lines are comments) asks whether
YARA-X 1.22 calls it slow (`error_on_slow_pattern`) and rewrites the
verdict. Patterns YARA-X rejects are dropped. Usage: python3 gen_slow.py
"""
import os, yara_x

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "slow.txt")
head, pats = [], []
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("#") or not line.strip():
        if not pats:
            head.append(line)
        continue
    pats.append(line.split(" ", 1)[1])
out = []
for p in dict.fromkeys(pats):
    src = "rule r { strings: $a = %s condition: $a }" % p
    try:
        c = yara_x.Compiler()
        c.add_source(src)
        c.build()
    except Exception:
        continue
    try:
        c = yara_x.Compiler(error_on_slow_pattern=True)
        c.add_source(src)
        c.build()
        out.append("fast " + p)
    except Exception as e:
        assert "slow pattern" in str(e), str(e)
        out.append("slow " + p)
open(path, "w").write("\n".join(head + out) + "\n")
print(len(out), "patterns")
