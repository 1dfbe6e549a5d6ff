"""The shared ratio detector (impl._ratio): each pattern it names, and none where there is none."""

import numpy as np
import pytest

from impl._ratio import detect


@pytest.mark.parametrize(
    "ratios, samples, kind",
    [
        ([-1, -1, -1], 4, "sign"),
        ([0.25, 0.25], 4, "mean"),
        ([4.0, 4.0], 4, "sum"),
        ([2.0, 2.0], 4, "twice"),
        ([0.5, 0.5], 4, "half"),
        ([3.7, 3.7], 4, "factor"),
        ([0.0, 0.0], 4, "zero"),
        ([1.0, 1.0], 4, "one"),
        ([1.0, 0.25, 0.2], [1, 4, 5], "mean"),  # 1/N with N varying
        ([1.0, 4.0, 5.0], [1, 4, 5], "sum"),
    ],
)
def test_each_pattern_is_named(ratios, samples, kind):
    assert detect(ratios, samples).kind == kind


def test_a_learning_rate_applied_twice_is_named_only_with_the_rates():
    lrs = [0.1, 0.3, 0.05]
    assert detect(lrs, [2, 2, 2]) is None
    assert detect(lrs, [2, 2, 2], lrs=lrs).kind == "lr"


def test_no_pattern_and_non_finite_ratios_name_nothing():
    assert detect([1.0, 2.0, 7.0], [3, 3, 3]) is None
    assert detect([np.inf, 1.0]) is None
    assert detect([]) is None
