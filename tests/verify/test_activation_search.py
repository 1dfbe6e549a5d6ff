"""The search for the hidden layers' activations is bounded: it grows with the depth, not exponentially.

An outside audit found a 7-layer class with an unregistered activation keeping the
checker busy 150 s past --timeout 5: every combination of hidden activations
(12^6) was tried. Here the forward pass is modelled (its error counts the layers
whose activation differs from the truth) and the passes tried are counted.
"""

import types

import pytest

from spec import activations
from spec.verify import judge


def _search(monkeypatch, depth, truth, output="sigmoid"):
    calls = []

    def forward_error(obs, b, H, O, skip_biases=()):
        calls.append(1)
        if len(calls) > 100_000:  # an exhaustive search would go on for millions: stop it here, failed
            raise AssertionError(f"more than 100,000 forward passes tried at depth {depth}")
        H = H if isinstance(H, tuple) else (H,) * (depth - 1)
        wrong = sum(h.name != t for h, t in zip(H, truth)) + (O.name != output)
        return 0.0 if wrong == 0 else 0.1 * wrong

    monkeypatch.setattr(judge, "_forward_error", forward_error)
    arch = (3,) + (5,) * (depth - 1) + (2,)
    observations = [types.SimpleNamespace(arch=arch) for _ in range(3)]
    b = types.SimpleNamespace(rtol=1e-7)
    return judge.identify_activations(observations, b), len(calls)


def test_a_deep_network_with_an_unregistered_activation_ends_after_a_bounded_search(monkeypatch):
    depth = 7
    found, calls = _search(monkeypatch, depth, truth=("not_registered",) * (depth - 1))
    assert found is None
    n, outputs = len(activations.names(elementwise=True)), len(activations.names())
    # one sigmoid-hidden pass per output, the uniform start, then SWEEPS sweeps of depth-1 layers
    bound = outputs * (n + n + judge.SWEEPS * (depth - 1) * n + 2 * 3) + n * outputs
    assert calls <= bound < n ** (depth - 1)


@pytest.mark.parametrize("truth", [
    ("tanh", "relu", "tanh", "sigmoid", "elu", "softplus"),
    ("relu",) * 5 + ("gelu",),
])
def test_mixed_hidden_activations_are_found_layer_by_layer(monkeypatch, truth):
    found, _ = _search(monkeypatch, len(truth) + 1, truth)
    assert found is not None
    H, O = found
    assert tuple(h.name for h in H) == truth and O.name == "sigmoid"


def test_shallow_networks_still_try_every_combination(monkeypatch):
    found, calls = _search(monkeypatch, 3, ("tanh", "relu"))
    assert [h.name for h in found[0]] == ["tanh", "relu"]
