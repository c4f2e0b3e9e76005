"""Shared reader for the C checks: the tracked C files, and their text with comments and
literals blanked so a check that looks for words or braces is not fooled by prose or strings.

Blanking keeps every character's offset and every newline, so a position found in the blanked
text is the same line in the file.
"""

import bisect
import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def c_files(*pathspecs):
    """Tracked C sources and headers (git ls-files), relative to the repository root."""
    specs = list(pathspecs) or ["*.c", "*.h"]
    out = subprocess.run(["git", "ls-files", "--", *specs], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [p for p in out.splitlines() if p.endswith((".c", ".h"))]


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


def _blank(s):
    return "".join(c if c == "\n" else " " for c in s)


def strip_comments_and_literals(text):
    """Comments become spaces; string and character literals keep their quotes, their contents
    become spaces. Newlines stay, so line numbers hold."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(_blank(text[i:j]))
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = i
            while j < n and text[j] != "\n":
                # a backslash-newline continues a // comment
                j += 2 if text[j] == "\\" and j + 1 < n else 1
            out.append(_blank(text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j, n - 1)
            out.append(c + _blank(text[i + 1:j]) + text[j])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


_DIRECTIVE = re.compile(r"^[ \t]*#")


def blank_directives(text):
    """Preprocessor lines (with their backslash continuations) become spaces: a macro body's
    braces are not the code's braces."""
    lines = text.split("\n")
    out = []
    cont = False
    for line in lines:
        if cont or _DIRECTIVE.match(line):
            cont = line.endswith("\\")
            out.append(" " * len(line))
        else:
            out.append(line)
    return "\n".join(out)


class LineIndex:
    """Offset -> line number in O(log n), for checks that ask many times."""

    def __init__(self, text):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset):
        return bisect.bisect_right(self.starts, offset)


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Function:
    def __init__(self, path, name, is_static, open_off, close_off, open_line, close_line,
                 name_off):
        self.path = path
        self.name = name
        self.is_static = is_static
        self.open_off = open_off      # offset of the body's opening brace
        self.close_off = close_off    # offset of the body's closing brace
        self.open_line = open_line
        self.close_line = close_line
        self.name_off = name_off

    @property
    def body_lines(self):
        return self.close_line - self.open_line + 1


def functions(path, code, macros=None):
    """Function definitions in code (already stripped of comments, literals and directives):
    a top-level brace whose head ends with a parameter list's ')' (attributes allowed).
    macros (from function_macros) lets a head written through a macro, like
    `static SPRIG_FN(upper)`, be named after the function it defines (upper)."""
    idx = LineIndex(code)
    found = []
    depth = 0
    stmt_start = 0  # start of the current top-level declaration
    open_off = None
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                open_off = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                head = _function_head(code[stmt_start:open_off], macros or {})
                if head is not None:
                    name, is_static, name_at = head
                    found.append(Function(path, name, is_static, open_off, i,
                                          idx.line(open_off), idx.line(i), stmt_start + name_at))
                stmt_start = i + 1
            elif depth < 0:  # unbalanced (e.g. braces split across #if branches): resync
                depth = 0
                stmt_start = i + 1
        elif c == ";" and depth == 0:
            stmt_start = i + 1
    return found


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\S")


def _function_head(head, macros):
    """(name, is_static, offset of the name in head) if head is a function definition's head,
    read backwards from the brace: [attributes] ')' of the parameter list, the name, then the
    specifiers back to the previous declaration (a macro call without ';' may precede it)."""
    toks = [(m.group(0), m.start()) for m in _TOKEN.finditer(head)]
    k = len(toks) - 1
    while True:
        if k < 0 or toks[k][0] != ")":
            return None
        open_k = _match_open(toks, k)
        if open_k is None:
            return None
        before = open_k - 1
        if before >= 0 and toks[before][0] == "(":  # __attribute__((...)): outer group
            before -= 1
        if before >= 0 and toks[before][0] == "__attribute__":
            k = before - 1
            continue
        break
    name_k = open_k - 1
    if name_k < 0 or not _IDENT.fullmatch(toks[name_k][0]):
        return None
    name, name_at = toks[name_k]
    args = toks[open_k + 1:k]
    if any(t == "=" for t, _ in toks[:name_k]):
        return None
    words = set()
    j = name_k - 1
    while j >= 0:
        t = toks[j][0]
        if t == ")":  # an attribute group belongs to the specifiers; anything else ends them
            o = _match_open(toks, j)
            if o is None or o < 1 or not (toks[o - 1][0] == "__attribute__"
                                          or toks[o - 1][0] == "(" and o >= 2
                                          and toks[o - 2][0] == "__attribute__"):
                break
            j = o - 1
            continue
        if t in (";", "}", "{", "(", ",", "="):
            break
        words.add(t)
        j -= 1
    if name in macros:
        params, body_words, named_param = macros[name]
        if named_param is None:
            return None
        real = _macro_arg(args, params.index(named_param))
        if real is None:
            return None
        name, name_at = real
        words |= body_words
    return name, "static" in words, name_at


def _match_open(toks, k):
    depth = 0
    for j in range(k, -1, -1):
        if toks[j][0] == ")":
            depth += 1
        elif toks[j][0] == "(":
            depth -= 1
            if depth == 0:
                return j
    return None


def _macro_arg(args, n):
    """The n-th top-level argument of a macro call, if it is one identifier: (name, offset)."""
    parts, cur, depth = [], [], 0
    for t, off in args:
        if t == "," and depth == 0:
            parts.append(cur)
            cur = []
            continue
        depth += t == "("
        depth -= t == ")"
        cur.append((t, off))
    parts.append(cur)
    if n < len(parts) and len(parts[n]) == 1 and _IDENT.fullmatch(parts[n][0][0]):
        return parts[n][0]
    return None


_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)(.*)$", re.M)


def function_macros(code):
    """Function-like macros of code (comments and literals stripped): name -> (parameters,
    words of the body, the parameter the body puts right before '(' (the name of a function
    the macro heads), or None)."""
    out = {}
    joined = code.replace("\\\n", "  ")  # continuation lines join; offsets do not matter here
    for m in _DEFINE.finditer(joined):
        params = [p.strip() for p in m.group(2).split(",")]
        body = m.group(3)
        # `##name(` pastes a longer name together: not the name itself
        named = next((p for p in params
                      if p and re.search(r"(?<!#)\b%s\s*\(" % re.escape(p), body)), None)
        out[m.group(1)] = (params, set(_IDENT.findall(body)), named)
    return out


class Source:
    """One C file read for the checks: code (comments and literals blanked), flat (directives
    blanked too: only the code's own braces), and its function definitions."""

    def __init__(self, path, code, macros):
        self.path = path
        self.code = code
        self.flat = blank_directives(self.code)
        self.index = LineIndex(self.code)
        self.functions = functions(path, self.flat, macros)


def sources(paths=None):
    """Source for every tracked C file (or paths). Function-like macros of all files are
    known to all, since a header's macro may head functions in many .c files."""
    paths = paths if paths is not None else c_files()
    codes = {p: strip_comments_and_literals(read(p)) for p in paths}
    macros = {}
    for c in codes.values():
        macros.update(function_macros(c))
    return [Source(p, codes[p], macros) for p in paths]
