"""Glob intersection (the linter's "does this ARN fit a format" question): the shortcut for globs without ``?``
agrees with the search over positions and with a brute-force check on short strings."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.policy.lint.resources import _glob_regex, _globs_meet, globs_intersect

STAR_GLOBS = st.text(alphabet="ab:*", min_size=1, max_size=8)
GLOBS = st.text(alphabet="ab:*?", min_size=1, max_size=6)


def _brute(a: str, b: str) -> bool:
    """Some string over the globs' letters, as long as both globs' literals together, matches both."""
    letters = sorted({c for c in a + b if c not in "*?"} | {"a"})
    longest = len(a.replace("*", "")) + len(b.replace("*", ""))
    ra, rb = _glob_regex(a), _glob_regex(b)
    return any(
        ra.fullmatch(w) and rb.fullmatch(w)
        for n in range(longest + 1)
        for w in ("".join(t) for t in product(letters, repeat=n))
    )


@settings(max_examples=400, deadline=None)
@given(STAR_GLOBS, STAR_GLOBS)
def test_globs_without_question_marks_meet_as_the_search_says(a: str, b: str) -> None:
    assert globs_intersect(a, b) == _globs_meet(a, b)


@settings(max_examples=150, deadline=None)
@given(GLOBS, GLOBS)
def test_globs_meet_as_brute_force_says(a: str, b: str) -> None:
    assert globs_intersect(a, b) == _brute(a, b)


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        ("arn:aws:iam::*:*", "arn:*:iam::*:role/*", True),
        ("arn:aws:s3:::bucket/*", "arn:*:s3:::*", True),
        ("arn:aws:s3:::b*", "arn:*:ec2:*:*:instance/*", True),  # the first "*" may take ":s3:::b..." apart
        ("arn:aws:s3:::b*/x", "arn:*:s3:::*/y", False),  # the literal ends differ
        ("arn:aws:s3:::b*", "arn:aws-cn:*", False),  # the literal starts differ
        ("a?*", "*b?", True),
        ("a?", "*bc", False),
    ],
)
def test_glob_pairs(a: str, b: str, meet: bool) -> None:
    assert globs_intersect(a, b) is meet
