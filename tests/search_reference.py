"""The reference matcher: what a query finds, said plainly, by tokens (``find``, ``matches``),
and how search.js finds it, by Pagefind words (``steps``, ``lookup``). The tests hold each to
the other, to a plain substring rule, and search.js to both (tests/test_search.py,
tests/browser/test_search_browser.py); bench/search.py counts recall and precision with it.
The build never uses it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bulletin_site.search.fold import _Classes, _opencc_classes, fold, fold_char, is_mark
from bulletin_site.search.records import Record
from bulletin_site.search.words import HAN, SEP, WORD, WORD_END, Token, char_class, tokenize

EXACT, PREFIX = "exact", "prefix"


def split_query(query: str) -> list[str]:
    """The terms of a query, without repeats: white space and punctuation separate terms,
    so a term is a run of letters and digits (12.5 is the two terms 12 and 5)."""
    terms: dict[str, None] = {}
    run: list[Token] = []
    for token in [*tokenize(query), Token(SEP, " ")]:
        if token.kind != SEP:
            run.append(token)
        elif run:
            terms.setdefault("".join(t.text for t in run), None)
            run = []
    return list(terms)


def find(term: str, tokens: Sequence[Token], table: Mapping[str, str]) -> list[int]:
    """Positions in ``tokens`` where ``term`` (one term of ``split_query``) starts: its tokens
    at consecutive positions, each of the same kind and equal once folded (whole Latin words)."""
    return find_folded(folded(tokenize(term), table), folded(tokens, table))


def folded(tokens: Sequence[Token], table: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(t.kind, fold(t.text, table)) for t in tokens]


def find_folded(wanted: Sequence[tuple[str, str]], text: Sequence[tuple[str, str]]) -> list[int]:
    """``find`` on tokens already folded."""
    if not wanted or any(kind == SEP for kind, _ in wanted):
        raise ValueError(f"not a search term: {wanted!r}")
    width = len(wanted)
    first = wanted[0]
    return [
        i
        for i in range(len(text) - width + 1)
        if text[i] == first and list(text[i : i + width]) == list(wanted)
    ]


def matches(query: str, record: Record, table: Mapping[str, str]) -> bool:
    """Whether ``record`` is a result of ``query``: every term in its title or its body."""
    terms = split_query(query)
    title, body = (folded(tokens, table) for tokens in record.tokens())
    return bool(terms) and all(
        find_folded(w, title) or find_folded(w, body)
        for w in (folded(tokenize(t), table) for t in terms)
    )


@dataclass(frozen=True)
class Step:
    """One Pagefind lookup of a term: at ``offset`` from the term's start, a word equal to one
    of ``keys`` (EXACT) or starting with one (PREFIX)."""

    offset: int
    mode: str
    keys: tuple[str, ...]


def pair_starts(tokens: Sequence[Token]) -> set[int]:
    """Where a term's pairs are looked up: in each run of two characters or more, every other
    pair (the pair at p names the characters at p and p+1, so they pin every character of the
    run), the last one moved back one place if the run's last character is left over. When a
    Latin word follows the run, its last character is named by ``cǂ`` instead."""
    starts: set[int] = set()
    j = 0
    while j < len(tokens):
        end = j
        while end < len(tokens) and tokens[end].kind == HAN:
            end += 1
        if end - j >= 2:  # a run j … end-1
            last = end - 2 if end < len(tokens) and tokens[end].kind == WORD else end - 1
            for q in range(j, last + 1, 2):
                starts.add(min(q, end - 2))
        j = max(end, j + 1)
    return starts


def steps(term: str, table: Mapping[str, str], chars: Iterable[str]) -> list[Step]:
    """How search.js looks a term up in an edition whose characters are ``chars``.

    A Latin word is its folded form + ǂ; a character followed by another is every pair of
    their forms in the edition, for every other character of a run (``pair_starts``); one
    followed by a Latin word ends a run (+ ǂ); a character alone (a one-character term, or
    after a Latin word) is every word starting with it."""
    forms: dict[str, list[str]] = {}
    for c in sorted(set(chars)):
        forms.setdefault(fold_char(c, table), []).append(c)

    def variants(token: Token) -> list[str]:
        return forms.get(fold_char(token.text, table), [])

    tokens = tokenize(term)
    pairs_at = pair_starts(tokens)
    out = []
    for j, token in enumerate(tokens):
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if token.kind == WORD:
            out.append(Step(j, EXACT, (fold(token.text, table) + WORD_END,)))
        elif following is not None and following.kind == HAN:
            if j in pairs_at:
                pairs = [a + b for a in variants(token) for b in variants(following)]
                out.append(Step(j, EXACT, tuple(pairs)))
        elif following is not None:
            out.append(Step(j, EXACT, tuple(a + WORD_END for a in variants(token))))
        elif j == 0 or tokens[j - 1].kind != HAN:
            out.append(Step(j, PREFIX, tuple(variants(token))))
    return out


def lookup(term_steps: Sequence[Step], content_words: Sequence[str]) -> list[int]:
    """Where the steps all hit in a record's content words, as Pagefind's words would answer
    (Pagefind lowers the case and drops accents of what it indexes)."""
    indexed = [_pagefind_word(w) for w in content_words]

    def hit(step: Step, position: int) -> bool:
        if position >= len(indexed):
            return False
        word = indexed[position]
        if step.mode == EXACT:
            return word in step.keys
        return any(word.startswith(k) for k in step.keys)

    if not term_steps or any(not s.keys for s in term_steps):
        return []
    return [p for p in range(len(indexed)) if all(hit(s, p + s.offset) for s in term_steps)]


def _pagefind_word(word: str) -> str:
    word = word.lower()
    return "".join(c for c in unicodedata.normalize("NFD", word) if not is_mark(c))


# ---------------------------------------------------------------------------------------------
# The build's shortcuts, said plainly (tests/test_search.py holds the build to these)


def fold_table(aligned: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``fold.fold_table`` as first written: one union for every pair of Chinese characters the
    two editions print at the same place, in the order met, repeats included."""
    opencc_parent, opencc_simplified, traditional = _opencc_classes()
    classes = _Classes(opencc_parent)
    simplified = set(opencc_simplified)
    present: set[str] = set()
    for hant, hans in aligned:
        hant, hans = unicodedata.normalize("NFC", hant), unicodedata.normalize("NFC", hans)
        present.update(hant, hans)
        if len(hant) != len(hans) or hant == hans:
            continue
        for a, b in zip(hant, hans, strict=True):
            if a != b and char_class(a) == HAN and char_class(b) == HAN:
                classes.union(a, b)
                simplified.add(b)
    seen = {c for c in present if char_class(c) == HAN}
    members: dict[str, list[str]] = {}
    for char in sorted(set(classes.parent) | seen):
        members.setdefault(classes.find(char), []).append(char)
    table: dict[str, str] = {}
    for chars in members.values():
        if not any(c in seen for c in chars):
            continue
        lead = next((c for c in chars if c in simplified and c not in traditional), None)
        lead = lead or next((c for c in chars if c in simplified), chars[0])
        table.update((c, lead) for c in chars if c != lead)
    return dict(sorted(table.items()))
