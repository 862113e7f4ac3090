#!/usr/bin/env python3
"""Import cycles between source files of the workspace crates.

Why a script: the house rule is "no import cycles between files" (ARCHITECTURE.md), and a cycle
creeps in one harmless-looking `use` at a time. This reads every `use` item and every inline
`crate::…` / `super::…` path of each crate's `src/`, maps each path to the file that defines the
module it names, and prints every strongly connected component with more than one file.

Usage: scripts/import_cycles.py [crate-dir ...]   (default: api domain entities migration)
Exit status 1 when a cycle exists, so CI can run it.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_files(src: Path) -> dict[tuple[str, ...], Path]:
    """Module path (relative to the crate root) → the file that holds it."""
    mods = {}
    for f in src.rglob("*.rs"):
        rel = f.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] in ("mod", "lib", "main"):
            parts = parts[:-1]
        mods[tuple(parts)] = f
    return mods


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def expand(tree: str) -> list[str]:
    """Expands a use tree `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`."""
    tree = tree.strip()
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and start is not None:
                prefix, inner, rest = tree[:start], tree[start + 1 : i], tree[i + 1 :]
                out = []
                for part in split_top(inner):
                    out.extend(expand(prefix + part + rest))
                return out
    return [re.sub(r"\s+as\s+\w+$", "", tree)]


def split_top(s: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def inline_mods(text: str) -> list[tuple[int, int]]:
    """Spans of inline modules (`mod tests { … }`): inside one, `super` names the file itself."""
    spans = []
    for m in re.finditer(r"\bmod\s+\w+\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += text[i] == "{"
            depth -= text[i] == "}"
            i += 1
        spans.append((m.end(), i))
    return spans


def paths_of(text: str) -> list[tuple[str, int]]:
    """Every path with the number of inline modules it sits in."""
    spans = inline_mods(text)

    def nesting(pos: int) -> int:
        return sum(1 for a, b in spans if a <= pos < b)

    out = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        out.extend((p, nesting(m.start())) for p in expand(m.group(1)))
    # Inline paths too (`crate::db::ping(..)`, `accounts::AccountsQuery` in a derive); bare ones
    # count only when their first segment is a child module (see `resolve`).
    out.extend((m.group(0), nesting(m.start())) for m in re.finditer(r"(?<!::)\b\w+(?:::\w+)+", text))
    return out


def resolve(path: str, here: tuple[str, ...], depth: int, mods) -> tuple[str, ...] | None:
    segs = [s for s in path.split("::") if s]
    # Inside `depth` inline modules, the first `depth` `super`s stay within this file.
    while depth and segs and segs[0] == "super":
        segs, depth = segs[1:], depth - 1
        if not segs:
            return None
        if segs[0] not in ("super", "self", "crate"):
            return None if depth == 0 and (tuple(here) + (segs[0],)) not in mods else resolve(
                "::".join(segs), here, 0, mods)
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(here)
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    elif (tuple(here) + (segs[0],)) in mods:
        # A bare path names a child module (2018 edition paths).
        base = list(here)
    else:
        return None
    best = None
    for n in range(len(segs), -1, -1):
        cand = tuple(base + segs[:n])
        if cand in mods:
            best = cand
            break
    return best


def cycles(crate: Path) -> list[list[str]]:
    src = crate / "src"
    mods = module_files(src)
    graph: dict[tuple[str, ...], set[tuple[str, ...]]] = {m: set() for m in mods}
    for mod, f in mods.items():
        for p, depth in paths_of(strip_comments(f.read_text())):
            target = resolve(p, mod, depth, mods)
            if target is None or target == mod:
                continue
            graph[mod].add(target)
    return [sorted("/".join(m) or "lib" for m in scc) for scc in tarjan(graph) if len(scc) > 1]


def tarjan(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            out.append(scc)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main() -> int:
    crates = sys.argv[1:] or ["api", "domain", "entities", "migration"]
    found = 0
    for c in crates:
        for scc in cycles(ROOT / c):
            found += 1
            print(f"{c}: cycle among {len(scc)} files: {', '.join(scc)}")
    if not found:
        print("no import cycles between files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
