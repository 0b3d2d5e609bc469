"""Regenerates cases.jsonl: runs every (pattern, data) of cases.in through
YARA-X (Python binding) and records its matches.

cases.in: one case a line, `<pattern declaration> ||| <python bytes expr>`;
lines starting with # are comments. Usage: python3 gen.py
"""
import json, os, yara_x

here = os.path.dirname(os.path.abspath(__file__))
out = []
for line in open(os.path.join(here, "cases.in")):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        continue
    pat, data = line.split(" ||| ")
    data = eval(data)
    rec = {"pattern": pat, "data_hex": data.hex()}
    try:
        c = yara_x.Compiler()
        c.add_source("rule t { strings: $a = %s condition: $a }" % pat)
        rules = c.build()
        res = yara_x.Scanner(rules).scan(data)
        matches = []
        for rule in res.matching_rules:
            for p in rule.patterns:
                matches = [[m.offset, m.length, m.xor_key] for m in p.matches]
        rec["expect"] = matches
    except Exception as e:
        rec["error"] = str(e).splitlines()[0]
    out.append(rec)
with open(os.path.join(here, "cases.jsonl"), "w") as f:
    for r in out:
        f.write(json.dumps(r) + "\n")
print(len(out), "cases")
