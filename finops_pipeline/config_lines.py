"""Map a validation error's key path back to the line of finops.yaml it came from.

pydantic reports `allocation.pools.2.weights`; a person fixing the file wants "line 41".
PyYAML's composed node tree keeps each key's position, so we walk it along the path.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def line_of(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """1-based line of the deepest node of `path` that exists in the document."""
    node, line = root, None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    found = (key, value)
                    break
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def describe_errors(text: str, errors: list[dict]) -> list[str]:
    """One line per validation error: `key.path (line N): message`."""
    root = compose(text)
    lines = []
    for err in errors:
        path = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        where = line_of(root, path)
        dotted = ".".join(str(p) for p in path) or "(top level)"
        lines.append(f"{dotted}{f' (line {where})' if where else ''}: {err['msg']}")
    return lines
