#!/usr/bin/env python3
"""Fails on calls to C library functions that have no bound on what they write or that hide
errors, anywhere in the C sources (tests and benchmarks included, since code gets copied from
them):
  atoi     no error report: "x" and "0" both give 0, overflow is undefined  -> strtol/strtoll
  strcpy   no bound on the destination                                     -> memcpy with a length
  sprintf  no bound on the destination                                     -> snprintf
  gets     no bound at all (removed from C11)                              -> fgets
  strtok   hidden static state, not re-entrant                             -> strtok_r, or a scan
Only calls count: the word followed by '(', outside comments and string literals, not a member
(`x.atoi(`); snprintf or my_atoi are other words.
Also fails on a raw __attribute__((warn_unused_result)) outside core/base/rc.h: CE_MUST_CHECK
says the same in one place.
"""

import re
import sys

import csrc

BANNED = {
    "atoi": "use strtol (atoi reports no error)",
    "strcpy": "use memcpy with a known length (strcpy has no bound)",
    "sprintf": "use snprintf (sprintf has no bound)",
    "gets": "use fgets (gets has no bound)",
    "strtok": "use strtok_r or a scan (strtok keeps hidden state)",
}

RAW_MUST_CHECK = re.compile(r"__attribute__\s*\(\(\s*warn_unused_result")
MUST_CHECK_HOME = "core/base/rc.h"

CALL = re.compile(r"(?<![\w.])(?<!->)(%s)\s*\(" % "|".join(BANNED))


def main():
    bad = 0
    for path in csrc.c_files():
        code = csrc.strip_comments_and_literals(csrc.read(path))
        idx = csrc.LineIndex(code)
        for m in CALL.finditer(code):
            name = m.group(1)
            print(f"{path}:{idx.line(m.start())}: call to banned {name}(): {BANNED[name]}")
            bad += 1
        for m in RAW_MUST_CHECK.finditer(code if path != MUST_CHECK_HOME else ""):
            print(f"{path}:{idx.line(m.start())}: raw warn_unused_result: use CE_MUST_CHECK")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
