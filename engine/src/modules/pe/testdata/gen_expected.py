#!/usr/bin/env python3
"""Writes YARA-X's module output for files as the canonical JSON the
`pe`, `elf` and `dotnet` tests compare against.

    gen_expected.py MODULE OUTDIR FILE...

Needs the `yara-x` Python package (the version the tests name: 1.22).
Enum names become their numbers (read from YARA-X's .proto files, found
in the cargo registry's yara-x-1.22.1 sources), bytes become "hex:...",
datetimes their Unix time; `dotnet.classes` is left out (not parsed).
"""
import datetime
import glob
import json
import os
import re
import sys

import yara_x


def enum_numbers(module):
    pattern = os.path.expanduser(
        "~/.cargo/registry/src/*/yara-x-1.22.1/src/modules/protos/"
        f"{module}.proto")
    numbers = {}
    for path in glob.glob(pattern)[:1]:
        text = open(path).read()
        for body in re.findall(r"enum\s+\w+\s*\{(.*?)\n\}", text, re.S):
            for name, value in re.findall(
                    r"^\s*(\w+)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))", body, re.M):
                numbers[name] = int(value, 0)
    return numbers


def canon(o, numbers):
    if isinstance(o, dict):
        return {k: canon(v, numbers) for k, v in o.items()
                if k not in ("classes", "number_of_classes")}
    if isinstance(o, list):
        return [canon(v, numbers) for v in o]
    if isinstance(o, bytes):
        return "hex:" + o.hex()
    if isinstance(o, datetime.datetime):
        if o.tzinfo is None:
            o = o.replace(tzinfo=datetime.timezone.utc)
        return int(o.timestamp())
    if isinstance(o, str) and o in numbers:
        return numbers[o]
    return o


def main():
    module, outdir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    numbers = enum_numbers(module)
    rules = yara_x.compile(f'import "{module}" rule a {{ condition: true }}')
    for f in files:
        out = yara_x.Scanner(rules).scan(open(f, "rb").read())
        value = canon(out.module_outputs.get(module), numbers)
        path = os.path.join(outdir, os.path.basename(f) + ".json")
        with open(path, "w") as fh:
            json.dump(value, fh, indent=1, sort_keys=True, ensure_ascii=False)


if __name__ == "__main__":
    main()
