#!/usr/bin/env python3
"""Fails on functions nothing uses: a non-static function whose name appears nowhere in the
tracked C sources but at its own definition, its declarations and inside its own body, and a
static function unused in the file that defines it (or, for a header, anywhere). Dead code
still has to be read, kept building and kept in step with what it touches.

A reference is the function's name as a word anywhere else: a call, a function pointer in a
table, a macro body. Comments and string literals do not count. A name that only a macro pastes
together (`sp_##name`) cannot be seen; functions whose names start or end with a pasted
fragment are therefore never reported.

--report also lists, without failing: non-static functions used only by tests/ or bench/ (kept
as test hooks, but worth a look), and non-static functions used only in their own file (could
be static).
"""

import bisect
import re
import sys

import csrc

# Called from outside the C sources (the C runtime, libFuzzer, and librdkafka for the C11
# threads functions that core/kafka/tsan_threads.c defines in ThreadSanitizer builds).
ENTRY_POINTS = {"main", "LLVMFuzzerTestOneInput", "LLVMFuzzerInitialize", "thrd_create",
                "thrd_join", "thrd_detach", "mtx_init", "mtx_lock", "mtx_trylock",
                "mtx_timedlock", "mtx_unlock", "mtx_destroy", "cnd_init", "cnd_signal",
                "cnd_broadcast", "cnd_wait", "cnd_timedwait", "cnd_destroy"}

# Files whose uses make a function "used only by tests".
TEST_DIRS = ("tests/", "bench/")

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PASTED = re.compile(r"([A-Za-z0-9_]+)\s*##|##\s*([A-Za-z0-9_]+)")


class Uses:
    """Where names are used in one file."""

    def __init__(self, src):
        self.src = src
        self.code = src.code
        self.flat = src.flat
        self.opens = [f.open_off for f in src.functions]
        self._depth_marks()

    def _depth_marks(self):
        """Offsets where the brace depth changes, to ask 'is this offset at file level?'."""
        self.marks, self.depths = [0], [0]
        d = 0
        for i, c in enumerate(self.flat):
            if c in "{}":
                d = max(0, d + (1 if c == "{" else -1))
                self.marks.append(i + 1)
                self.depths.append(d)

    def depth_at(self, off):
        return self.depths[bisect.bisect_right(self.marks, off) - 1]

    def enclosing(self, off):
        """The function whose body holds off, or None."""
        k = bisect.bisect_right(self.opens, off) - 1
        fns = self.src.functions
        if k >= 0 and fns[k].open_off < off < fns[k].close_off:
            return fns[k]
        return None

    def in_directive(self, off):
        return self.flat[off] == " " and self.code[off] != " "

    def uses(self):
        """(name, offset, enclosing function) for each identifier that is a use, not a
        declaration: at file level, `name (` declares (or defines) name."""
        for m in IDENT.finditer(self.code):
            off = m.start()
            if not self.in_directive(off) and self.depth_at(off) == 0:
                if self.code[m.end():].lstrip().startswith("("):
                    continue
            yield m.group(0), off, self.enclosing(off)


def main():
    report = "--report" in sys.argv[1:]
    sources = csrc.sources()

    pasted = set()
    for s in sources:
        for m in PASTED.finditer(s.code):
            pasted.add(m.group(1) or m.group(2))

    defined = {}  # name -> [Function]
    for s in sources:
        for f in s.functions:
            defined.setdefault(f.name, []).append(f)

    users = {}  # name -> set of files that use it (outside its own body)
    for s in sources:
        for name, off, fn in Uses(s).uses():
            if name in defined and not (fn is not None and fn.name == name):
                users.setdefault(name, set()).add(s.path)

    failures, notes = [], []
    for s in sources:
        for f in s.functions:
            if f.name in ENTRY_POINTS or any(f.name.startswith(p) or f.name.endswith(p)
                                             for p in pasted):
                continue
            where = f"{s.path}:{s.index.line(f.name_off)}"
            used_in = users.get(f.name, set())
            if f.is_static:
                # a static function of a .c is seen only there; one in a header, anywhere
                seen = used_in if s.path.endswith(".h") else used_in & {s.path}
                if not seen:
                    failures.append(f"{where}: static function {f.name} is never used")
                continue
            if not used_in:
                failures.append(f"{where}: function {f.name} is never used")
            elif not s.path.startswith(TEST_DIRS) and all(u.startswith(TEST_DIRS)
                                                          for u in used_in):
                notes.append(f"{where}: note: function {f.name} is used only by "
                             + ", ".join(sorted(used_in)))
            elif used_in <= {s.path, s.path[:-2] + ".h"}:
                notes.append(f"{where}: note: function {f.name} is used only in its own "
                             "file (could be static)")

    for line in failures:
        print(line)
    if report:
        for line in notes:
            print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
