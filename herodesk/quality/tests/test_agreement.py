"""Krippendorff's alpha against the published worked example, and Cohen's kappa."""

from __future__ import annotations

import pytest

from herodesk.quality.agreement import binary_agreement, cohen_kappa, krippendorff_alpha

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve
# units, values 1-5, some missing. Rows are observers A-D, columns units 1-12 (None = no value).
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS = [list(column) for column in zip(*OBSERVERS, strict=True)]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_matches_krippendorffs_worked_example(level, published):
    alpha = krippendorff_alpha(UNITS, level)
    assert alpha is not None
    assert round(alpha, 3) == published


def test_alpha_is_one_for_perfect_agreement_and_none_without_variation():
    assert krippendorff_alpha([[1, 1], [0, 0], [1, 1]]) == 1.0
    assert krippendorff_alpha([[1, 1], [1, 1]]) is None
    assert krippendorff_alpha([[1], [0]]) is None  # nothing pairable


def test_cohen_kappa_of_a_textbook_table():
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: po = 0.7, pe = 0.5, kappa = 0.4.
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    result = binary_agreement(pairs)
    assert result.precision == pytest.approx(20 / 25)
    assert result.recall == pytest.approx(20 / 30)
