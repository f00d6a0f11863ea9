#!/usr/bin/env python3
"""Measures the house (issue 23): the longest functions, the files over 800 lines and the
import circles between the crate's top-level modules. Usage: python3 .ci/house.py [repo]"""
import re, sys, pathlib, itertools

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".") / "src"
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")
USE = re.compile(r"\bcrate::(\w+)")

def strip_tests(lines):
    """Blanks `#[cfg(test)]` items (a whole `mod tests { .. }` block)."""
    out, i = list(lines), 0
    while i < len(out):
        if out[i].strip().startswith("#[cfg(test)]"):
            depth, j, opened = 0, i + 1, False
            while j < len(out):
                depth += out[j].count("{") - out[j].count("}")
                opened = opened or "{" in out[j]
                if opened and depth <= 0:
                    break
                if not opened and out[j].rstrip().endswith(";"):
                    break
                j += 1
            for k in range(i, min(j + 1, len(out))):
                out[k] = ""
            i = j
        i += 1
    return out

fns, big, edges = [], [], set()
for path in sorted(root.rglob("*.rs")):
    rel = path.relative_to(root)
    if rel.name == "tests.rs":
        continue
    text = path.read_text().splitlines()
    if len(text) > 800:
        big.append((len(text), str(rel)))
    lines = strip_tests(text)
    top = rel.parts[0].removesuffix(".rs")
    for line in lines:
        code = line.split("//")[0]
        for m in USE.finditer(code):
            other = m.group(1)
            is_module = (root / (other + ".rs")).exists() or (root / other).is_dir()
            if other != top and is_module:
                edges.add((top, other))
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if m and not lines[i].rstrip().endswith(";"):
            depth, j, opened = 0, i, False
            while j < len(lines):
                code = lines[j].split("//")[0]
                depth += code.count("{") - code.count("}")
                opened = opened or "{" in code
                if opened and depth <= 0:
                    break
                j += 1
            fns.append((j - i + 1, f"{rel}:{i + 1}", m.group(5)))
        i += 1

print("longest ten functions:")
for n, at, name in sorted(fns, reverse=True)[:10]:
    print(f"  {n:4}  {at}  {name}")
print("files over 800 lines:", ", ".join(f"{r} {n}" for n, r in sorted(big, reverse=True)) or "none")
circles = sorted({tuple(sorted(p)) for p in edges if (p[1], p[0]) in edges})
print("import circles:", ", ".join(f"{a}<->{b}" for a, b in circles) or "none")
