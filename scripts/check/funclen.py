#!/usr/bin/env python3
"""Fails on a function whose body is longer than MAX_LINES lines, counted from the line of its
opening brace to the line of its closing brace. Past that length a function does several
things at once; splitting it into named steps is what keeps it reviewable and testable.
Braces are matched on the text with comments, literals and preprocessor lines blanked.
"""

import sys

import csrc

MAX_LINES = 150


def main():
    bad = 0
    for src in csrc.sources():
        for fn in src.functions:
            if fn.body_lines > MAX_LINES:
                print(f"{src.path}:{fn.open_line}: function {fn.name} is {fn.body_lines} lines "
                      f"(limit {MAX_LINES}): split it into named steps")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
