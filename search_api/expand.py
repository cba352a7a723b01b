"""Related terms at query time, from the curated data/concepts.toml.

A query that contains a term of a concept group is also run with that term replaced by each
other term of the group: exact equivalents (政数局 = 政务服务数据管理局) weighted near the
original, related topics (民意速办 ~ 民生诉求 ~ 12345热线) with a low weight, so they follow the
hits for the words typed. Expansion is done here rather than with Elasticsearch synonyms, which
the server core does not have (CONVENTIONS.md).
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CONCEPTS = Path(__file__).with_name("data") / "concepts.toml"
WEIGHTS = {"equivalent": 0.8, "related": 0.3}


@dataclass(frozen=True)
class Expansion:
    query: str  # the query with the term replaced
    term: str  # the term put in
    replaces: str  # the term of the query it stands for
    relation: str  # equivalent | related

    @property
    def weight(self) -> float:
        return WEIGHTS[self.relation]

    def as_dict(self) -> dict:
        return {"term": self.term, "for": self.replaces, "relation": self.relation}


@cache
def load_concepts(path: Path = CONCEPTS) -> tuple[tuple[str, tuple[str, ...]], ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        (relation, tuple(group["terms"]))
        for relation in ("equivalent", "related")
        for group in data.get(relation, [])
    )


def expansions(q: str, concepts=None) -> list[Expansion]:
    """The expansions of q, equivalents first; one per new term (the first group wins)."""
    concepts = load_concepts() if concepts is None else concepts
    found: dict[str, Expansion] = {}
    for relation, terms in concepts:
        # the longest term of the group that q contains (12345政务服务便民热线 over 12345热线)
        present = sorted((t for t in terms if t in q), key=len, reverse=True)
        if not present:
            continue
        term = present[0]
        for other in terms:
            if other in q or other in found or term in other:
                continue
            found[other] = Expansion(q.replace(term, other), other, term, relation)
    return list(found.values())
