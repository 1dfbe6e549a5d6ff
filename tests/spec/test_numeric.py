"""spec.numeric, the one NumPy recurrence of the spec side, against sympy.diff of the whole network.

`spec.oracle.Oracle` and verify's `spec.verify.recurrence.gradients` (with the
spec's variant) both run it; here it is held to `DirectOracle`, which
differentiates the network's loss symbolically with no recurrence anywhere,
for every registered activation in a hidden and in the output layer.
"""

import numpy as np
import pytest

from spec import activations, losses
from spec.oracle import DirectOracle, Oracle
from spec.verify import recurrence as vm


def _cases():
    cases = []
    for name in activations.names():
        if activations.get(name).output_set != "simplex":
            cases.append((name, "softmax", "ce"))
        cases.append((name, "sigmoid", "bce"))
        cases += [("tanh", name, loss) for loss in losses.names() if losses.get(loss).accepts(activations.get(name))]
    return sorted(set(cases))


CASES = _cases()


def _problem(loss, seed=3):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(3, 2)), rng.normal(size=(2, 3))]
    biases = [rng.normal(size=3), rng.normal(size=2)]
    X = rng.normal(size=(4, 2))
    Y = rng.uniform(0.05, 1, size=(4, 2))
    if losses.get(loss).requires == "simplex":
        Y /= Y.sum(axis=1, keepdims=True)
    return weights, biases, X, Y


@pytest.mark.parametrize("hidden, output, loss", CASES, ids=["-".join(c) for c in CASES])
def test_the_recurrence_equals_sympy_diff_of_the_whole_network(hidden, output, loss):
    weights, biases, X, Y = _problem(loss)
    got = Oracle((2, 3, 2), hidden, output, loss, "mean").gradients(weights, biases, X, Y)
    want = DirectOracle((2, 3, 2), hidden, output, loss, "mean").gradients(weights, biases, X, Y)
    for g, w in zip(got[0] + got[1], want[0] + want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("output, loss", [("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "ce"), ("tanh", "mse")])
def test_verify_spec_variant_is_the_oracle(output, loss):
    """verify's expected update for the spec's own recurrence is the oracle's gradient, column layout."""
    weights, biases, X, Y = _problem(loss)
    acts = [None, activations.get("tanh"), activations.get(output)]
    net = vm.Net(acts, [None, *weights], [None, *biases])
    dW, db = vm.gradients(net, X.T, Y.T, vm.family(loss))
    want = Oracle((2, 3, 2), "tanh", output, loss, "sum").gradients(weights, biases, X, Y)
    for g, w in zip(dW[1:] + db[1:], want[0] + want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
