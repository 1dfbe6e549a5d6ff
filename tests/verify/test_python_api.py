"""`spec.verify.verify` from Python and notebooks: a class, a function's module, a path or source text, in the sandbox."""

import linecache
import textwrap

import numpy as np
import pytest

from spec.verify import ProtocolError, Report, verify


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Net:
    """A 2-layer sigmoid network, (features, samples), its sigmoid a helper of this module."""

    def __init__(self, n_in, n_hidden, n_out):
        rng = np.random.default_rng(0)
        self.W1, self.b1 = rng.normal(size=(n_hidden, n_in)), np.zeros((n_hidden, 1))
        self.W2, self.b2 = rng.normal(size=(n_out, n_hidden)), np.zeros((n_out, 1))

    def forward(self, X):
        self.a1 = sigmoid(self.W1 @ X + self.b1)
        self.a2 = sigmoid(self.W2 @ self.a1 + self.b2)
        return self.a2

    def backward(self, X, y, lr):
        d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
        d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
        self.W2 -= lr * d2 @ self.a1.T
        self.b2 -= lr * d2.sum(axis=1, keepdims=True)
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)


class StaleNet(Net):
    """The same network with W2 updated before the hidden error is computed from it."""

    def backward(self, X, y, lr):
        d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
        self.W2 -= lr * d2 @ self.a1.T
        self.b2 -= lr * d2.sum(axis=1, keepdims=True)
        d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
        self.W1 -= lr * d1 @ X.T
        self.b1 -= lr * d1.sum(axis=1, keepdims=True)


def test_a_correct_class_passes_and_says_its_convention():
    report = verify(Net)
    assert isinstance(report, Report) and report.ok, str(report)
    assert report.convention.startswith("exact gradient descent of 1/2 * sum of squared errors")
    assert report.findings == []
    assert str(report).startswith("PASS: ")


def test_a_subclass_with_a_mistake_fails_with_its_findings():
    # its base class and the module's sigmoid are written out with it
    report = verify(StaleNet)
    assert not report.ok
    assert any("computed with the weights above it already updated" in f for f in report.findings), report.findings


def test_source_text_and_a_path_work_as_on_the_command_line(tmp_path):
    text = "import numpy as np\n\n\n" + textwrap.dedent(
        __import__("inspect").getsource(sigmoid)) + "\n\n" + textwrap.dedent(__import__("inspect").getsource(Net))
    assert verify(text).ok
    path = tmp_path / "net.py"
    path.write_text(text)
    assert verify(f"{path}:Net").ok and verify(path).ok


def test_a_class_defined_in_a_notebook_cell_is_read_from_the_cell():
    # a notebook compiles each cell under a name of its own; Python cannot find a class's source there by itself
    cell = textwrap.dedent('''
        import numpy as np


        class CellNet:
            def __init__(self, n_in, n_hidden, n_out):
                rng = np.random.default_rng(1)
                self.W1, self.W2 = rng.normal(size=(n_in, n_hidden)), rng.normal(size=(n_hidden, n_out))

            def forward(self, X):
                self.h = np.tanh(X @ self.W1)
                self.out = self.h @ self.W2
                return self.out

            def train(self, X, y, lr):
                e = self.out - y
                dh = (e @ self.W2.T) * (1 - self.h ** 2)
                self.W2 -= lr * self.h.T @ e
                self.W1 -= lr * X.T @ dh
        ''')
    name = "<cell-7>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    namespace = {"__name__": "__main__"}
    try:
        exec(compile(cell, name, "exec"), namespace)
        report = verify(namespace["CellNet"])
    finally:
        del linecache.cache[name]
    assert report.ok, str(report)
    assert "tanh hidden, identity output" in report.convention


def test_the_notebook_display_is_escaped_html():
    report = Report(False, "sigmoid hidden", "mse", "sum", 3, discovery=["weights: <b>W1</b> & W2"],
                    diagnosis=["a <script>x</script> mistake"])
    html = report._repr_html_()
    assert html.startswith('<div class="backprop-spec-report">') and "FAIL: " in html
    assert "&lt;b&gt;W1&lt;/b&gt; &amp; W2" in html and "&lt;script&gt;" in html and "<script>" not in html


def test_bad_targets_are_refused_naming_the_argument():
    with pytest.raises(TypeError, match=r"^target: expected a class, a function, a path .* got int"):
        verify(3)
    with pytest.raises(ProtocolError, match="cannot read the source of Made: .*; pass the file's path instead"):
        verify(type("Made", (), {"forward": lambda self, X: X}))
