"""List functions in iomlib longer than a limit: ``python tools/long_functions.py [LINES]`` (80)."""
from __future__ import annotations

import ast
import pathlib
import sys


def long_functions(root: str = "iomlib", limit: int = 80) -> list[tuple[str, str, int]]:
    """Return ``(file, qualified name, lines)`` for every function over ``limit`` lines."""
    out = []
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        tree = ast.parse(path.read_text())
        stack = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{prefix}{child.name}"
                    if not isinstance(child, ast.ClassDef):
                        n = child.end_lineno - child.lineno + 1
                        if n > limit:
                            out.append((str(path), name, n))
                    stack.append((child, name + "."))
    return out


if __name__ == "__main__":
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    for f, name, n in long_functions(limit=limit):
        print(f"{n:5d}  {f}:{name}")
