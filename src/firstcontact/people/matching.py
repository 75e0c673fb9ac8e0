"""Finding a record's Person among many: blocking keys, candidates, best match, clusters.

Comparing a new contact with every known Person would take seconds at a million People, so
each record is filed under a few blocking keys (phone, email, date of birth, postcode with
initial, sound-alike name) and only records sharing a key are scored. The same code links the
live contacts (people.service) and bulk files (`firstcontact people link`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from firstcontact.people.model import (
    Identity,
    MatchBand,
    MatchPolicy,
    NameVariants,
    Score,
    name_key,
    score_at_least,
)

K = TypeVar("K", bound=Hashable)


def blocking_keys(identity: Identity, variants: NameVariants) -> list[str]:
    """The keys a record is filed under; two records of one person usually share one."""
    keys: list[str] = []
    given = identity.given_name.split()[0] if identity.given_name else ""
    initial = variants.of(given)[:1]
    if identity.phone:
        keys.append(f"p:{identity.phone}")
    if identity.email:
        keys.append(f"e:{identity.email}")
    if identity.social_handle:
        keys.append(f"s:{identity.social_handle}")
    if identity.date_of_birth:
        keys.append(f"d:{identity.date_of_birth}")
    if identity.postcode:
        keys.append(f"pc:{identity.postcode}:{initial}")
    if identity.surname:
        keys.append(f"n:{name_key(identity.surname)}:{name_key(variants.of(given))}")
        if identity.date_of_birth:
            keys.append(f"ny:{name_key(identity.surname)}:{identity.date_of_birth[:4]}")
    if given and identity.surname:
        # Names written the wrong way round still meet their other records.
        keys.append(f"n:{name_key(given)}:{name_key(variants.of(identity.surname))}")
    return keys


@dataclass(frozen=True)
class Candidate(Generic[K]):
    """A known record that may be the same person, with its score and the band it falls in."""

    key: K
    score: Score
    band: MatchBand


class PeopleIndex(Generic[K]):
    """Records held in memory under their blocking keys (for bulk linking and benchmarks)."""

    def __init__(self, policy: MatchPolicy, variants: NameVariants) -> None:
        self.policy, self.variants = policy, variants
        self.records: dict[K, Identity] = {}
        self.blocks: defaultdict[str, list[K]] = defaultdict(list)

    def add(self, key: K, identity: Identity) -> None:
        self.records[key] = identity
        for block in blocking_keys(identity, self.variants):
            self.blocks[block].append(key)

    def candidates(self, identity: Identity) -> set[K]:
        """Everyone sharing a blocking key, skipping keys too common to tell people apart."""
        found: set[K] = set()
        for block in blocking_keys(identity, self.variants):
            members = self.blocks.get(block)
            if members and len(members) <= self.policy.max_block_size:
                found.update(members)
        return found

    def matches(self, identity: Identity, *, at_least: float | None = None) -> list[Candidate[K]]:
        """Candidates scoring at least the offer threshold (or `at_least`), best first."""
        return best_matches(identity, ((k, self.records[k]) for k in self.candidates(identity)),
                            self.policy, self.variants, at_least=at_least)


def best_matches(identity: Identity, known: Iterable[tuple[K, Identity]], policy: MatchPolicy,
                 variants: NameVariants, *, at_least: float | None = None) -> list[Candidate[K]]:
    """Score `identity` against each known record; keep those at or above the threshold."""
    floor = policy.offer if at_least is None else at_least
    found = []
    for key, other in known:
        result = score_at_least(identity, other, policy, variants, floor)
        if result is not None and result.total >= floor:
            found.append(Candidate(key, result, policy.band(result.total)))
    found.sort(key=lambda c: c.score.total, reverse=True)
    return found


def link_records(records: Iterable[tuple[str, Identity]], policy: MatchPolicy,
                 variants: NameVariants) -> dict[str, str]:
    """Cluster records into People: any two that score at the auto-link threshold are one
    person, and so, transitively, is everyone linked to either. Returns record -> person id
    (P1, P2, ... in order of each person's first record)."""
    index: PeopleIndex[str] = PeopleIndex(policy, variants)
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    order: list[str] = []
    for record_id, identity in records:
        if record_id in parent:
            raise ValueError(f"record_id {record_id!r} appears twice")
        parent[record_id] = record_id
        order.append(record_id)
        for candidate in index.matches(identity, at_least=policy.auto_link):
            parent[root(candidate.key)] = root(record_id)
        index.add(record_id, identity)
    people: dict[str, str] = {}
    return {record_id: people.setdefault(root(record_id), f"P{len(people) + 1}")
            for record_id in order}
