"""Union-find over item indices, so pairwise duplicate links from every tier merge into groups."""

from __future__ import annotations


class UnionFind:
    """Disjoint sets with path halving; the root of a set is its smallest index (the earliest item)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        """The root of `i`'s set."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        """Merge the sets of `a` and `b`; True when they were separate."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        lo, hi = (ra, rb) if ra < rb else (rb, ra)
        self.parent[hi] = lo
        return True

    def groups(self) -> list[list[int]]:
        """All sets as sorted index lists, ordered by their smallest index."""
        members: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            members.setdefault(self.find(i), []).append(i)
        return list(members.values())
