"""The generated documentation pages: formulas from the spec, one page per activation, proofs, seed counts.

The site is built once for the module (``mkdocs build --strict``); the
vectorised XOR trainer of ``docs/hooks/pages/xor.py`` is compared with the
one-seed-at-a-time code it replaces.
"""

import html
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from spec import activations, losses
from spec.activations import a

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "docs" / "hooks" / "pages").is_dir() or not (ROOT / "benchmarks").is_dir():
    # e.g. the throwaway copies of spec/, impl/ and tests/ made by test_add_activation.py
    pytest.skip("the documentation sources are not part of this copy of the project", allow_module_level=True)
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import activation_pages, xor  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    mkdocs = Path(sys.executable).parent / "mkdocs"
    assert mkdocs.exists(), "mkdocs is not installed in this environment: run `make test`"
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr
    return out


def page(site, path):
    """The text of a built page, HTML entities decoded (``&amp;`` in LaTeX becomes ``&``)."""
    return html.unescape((site / path / "index.html").read_text())


def words(site, path):
    """The text of a built page with its tags removed (code blocks are split into highlighted spans)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", (site / path / "index.html").read_text()))


# --- formulas come from the spec -----------------------------------------------------


def test_derivation_shows_the_spec_formulas(site):
    text = page(site, "derivation")
    sigmoid = activations.get("sigmoid")
    od = losses.mse.output_delta("sigmoid")
    for formula in (
        sp.latex(sigmoid.expr),
        sp.latex(sigmoid.derivative),
        sp.latex(sigmoid.output_form),
        sp.latex(losses.mse.expr, symbol_names={a: "a^{(2)}"}),
        sp.latex(losses.mse.d_da, symbol_names={a: "a^{(2)}"}),
        sp.latex(od.in_a, symbol_names={a: "a^{(2)}"}),
    ):
        assert formula in text, formula
    # every section of the tutorial's order is there
    for heading in ("The sigmoid", "The forward pass", "The loss", "The output error", "The hidden error",
                    "Gradients and weight updates", "The chain rule", "Why code writes"):
        assert heading in text, heading
    assert "generated:" not in text  # every marker was replaced


def test_losses_page_shows_both_losses_and_the_cancellation(site):
    text = page(site, "losses")
    assert sp.latex(losses.mse.expr) in text
    assert sp.latex(losses.bce.expr) in text
    assert sp.latex(losses.bce.output_delta("sigmoid").in_a) in text  # a - y
    proof = losses.prove_sigmoid_bce_cancellation()
    assert proof.ok
    assert f"{proof.claim}</code>: <strong>proven</strong>" in text


def test_proofs_are_shown_as_proven_and_none_as_failed(site):
    derivation = page(site, "derivation")
    assert "proven symbolically for all 9 of 9 weights and biases" in derivation
    for path in ("derivation", "losses", "pitfalls", "checks", "activations/sigmoid"):
        text = page(site, path)
        assert "NOT PROVEN" not in text and "✗ NOT" not in text, path
        assert "✓ proven symbolically" in text or path == "checks", path


# --- one page per registered activation ------------------------------------------------


@pytest.mark.parametrize("name", activations.names())
def test_every_registered_activation_has_a_page_with_its_plot(site, name):
    text = page(site, f"activations/{name}")
    assert f'src="../{name}.png"' in text
    png = (site / "activations" / f"{name}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    act = activations.get(name)
    assert ("None exists" in text) == (act.output_form is None)
    # the activation is in the navigation of every page
    assert f'href="../activations/{name}/"' in page(site, "derivation")


def test_adding_an_activation_adds_its_page_with_no_other_edit(monkeypatch):
    act = activations.Activation("test_scaled_tanh", 2 * sp.tanh(activations.z), "For this test only.")
    # a registry holding only the new activation keeps the test fast; the hook calls the same files()
    monkeypatch.setattr(activations, "_REGISTRY", {act.name: act})
    files = activation_pages.files()
    assert set(files) == {"activations/index.md", "activations/test_scaled_tanh.md", "activations/test_scaled_tanh.png"}
    assert "activations/test_scaled_tanh.md" in files
    assert files["activations/test_scaled_tanh.png"].startswith(b"\x89PNG")
    assert sp.latex(act.derivative) in files["activations/test_scaled_tanh.md"]
    assert {"test_scaled_tanh": "activations/test_scaled_tanh.md"} in activation_pages.nav()


def test_a_description_is_shown_as_text_never_as_markup(monkeypatch):
    # descriptions come from `add-activation --description` or a hand-edited JSON file
    import markdown

    import generate

    hostile = (
        "<script>alert(1)</script> [x](javascript:alert(1)) <!-- generated: prove 2,2,1 sigmoid sigmoid mse --> "
        "\\(x\\) **bold** &amp;"
    )
    act = activations.Activation("test_hostile_description", 2 * sp.tanh(activations.z), hostile)
    monkeypatch.setattr(activations, "_REGISTRY", {act.name: act})
    text = activation_pages.page(act.name)
    assert html.escape(hostile) in text and "<script>" not in text
    assert not generate.MARKER.search(text)  # no generator runs on it while the site is built
    rendered = markdown.markdown(
        text, extensions=["tables", "pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {"generic": True}}
    )
    description = rendered.split('<p class="activation-description">')[1].split("</p>")[0]
    assert description == html.escape(hostile)  # text only: no tag, link, bold or math in it
    assert "<script" not in rendered


def test_nothing_generated_is_written_into_docs():
    docs = ROOT / "docs"
    assert not (docs / "activations").exists()
    assert not list(docs.rglob("*.png"))


# --- training pages and the vectorised seed counts -----------------------------------


def test_training_page_counts_match_the_readme(site):
    text = page(site, "training-xor")
    assert "64 of 100" in text  # the tutorial's settings
    assert "81 of 100" in text  # the command line's defaults
    assert (site / "img" / "training-xor-run.png").read_bytes().startswith(b"\x89PNG")
    assert (site / "img" / "training-xor-seeds.png").read_bytes().startswith(b"\x89PNG")


def test_pitfalls_page_measures_the_loss_factor(site):
    text = page(site, "pitfalls")
    assert "0.500000000000 (2/N = 0.5)" in text


# seeds that solve and seeds that get stuck, for both settings
SEEDS = (0, 1, 2, 3, 4, 6)


def test_vectorised_tutorial_runs_equal_the_per_seed_loop():
    import xor_seeds

    vectorised = xor.solved_tutorial(SEEDS)
    one_by_one = [xor_seeds.tutorial_run(s) for s in SEEDS]
    assert list(vectorised) == one_by_one
    assert 0 < sum(one_by_one) < len(SEEDS)  # both outcomes are exercised


def test_vectorised_network_runs_equal_impl_network_seed_by_seed():
    import xor_seeds
    from spec.cli import XOR_DEFAULTS as d

    vectorised = xor.solved_network(SEEDS, init=d["init"], lr=d["lr"], epochs=d["epochs"])
    one_by_one = [xor_seeds.network_run(s, d["init"], d["lr"], d["epochs"]) for s in SEEDS]
    assert list(vectorised) == one_by_one
    assert 0 < sum(one_by_one) < len(SEEDS)


def test_vectorised_training_ends_on_the_same_weights():
    """Same start, same steps: the weights agree to rounding.

    Not bit for bit: ``impl.Network.fit`` may order its sums differently (its
    buffered trainer folds the bias into the matrix product), which changes
    the last bits but never the outcome of a seed (the tests above).
    """
    from impl import Network
    from spec.tasks import xor as xor_data

    data = xor_data()
    weights, biases = xor.train_network(SEEDS[:3], init="normal", lr=0.1, epochs=300)
    for k, seed in enumerate(SEEDS[:3]):
        net = Network((2, 2, 1), seed=seed, init="normal").fit(data.X_train, data.Y_train, epochs=300, lr=0.1)
        for got, want in zip([w[k] for w in weights] + [b[k] for b in biases], net.weights + net.biases):
            np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


def test_a_failing_proof_stops_the_build(monkeypatch):
    import importlib.util
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    from pages import loss_page
    from spec.proof import Proof

    spec_ = importlib.util.spec_from_file_location("generate_hook", ROOT / "docs" / "hooks" / "generate.py")
    hook = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(hook)
    monkeypatch.setattr(losses, "prove_sigmoid_bce_cancellation", lambda: Proof("sigmoid + BCE", False, "no"))
    loss_page.cancellation.cache_clear()
    page_ = SimpleNamespace(file=SimpleNamespace(src_uri="losses.md"))
    try:
        with pytest.raises(PluginError, match="sigmoid \\+ BCE"):
            hook.on_page_markdown("<!-- generated: losses cancellation-status -->", page_, None, None)
    finally:
        loss_page.cancellation.cache_clear()


# --- vector activations (softmax) ------------------------------------------------------


def test_the_softmax_page_shows_its_jacobian_output_form_and_proofs(site):
    from pages import loss_page, vector_activation
    from pages.common import tex

    text = page(site, "activations/softmax")
    act = activations.get("softmax")
    n = vector_activation.N_SHOWN
    # the component, the Jacobian derived by SymPy (the sum of exponentials written s) and its output form
    assert tex(act.component) in text
    shown, total = vector_activation._jacobian_through_s(act, n)
    assert tex(shown) in text and tex(total) in text
    assert tex(act.jacobian_output_form(n)) in text
    # and for any number of units: sympy.diff by z_k, written through the outputs, proven
    assert tex(act.general_jacobian) in text and tex(act.general_jacobian_output_form) in text
    assert "✓ proven symbolically: for any n, every i and k" in text and all(p.ok for p in act.general_proofs())
    assert r"\operatorname{diag}(a) - a\,a^T" in text
    # the proof marks: J = G(f(z)), the compact form for several widths, softmax of two units = sigmoid
    assert f"✓ proven symbolically: J(z) = G(f(z)) for n = {n}" in text
    widths = ", ".join(map(str, vector_activation.COMPACT_WIDTHS))
    assert f"✓ proven symbolically: G(a) = diag(a) - a aᵀ for n = {widths}" in text
    assert all(p.ok for p in act.proofs(n))
    assert tex(activations.get("sigmoid").expr) in text
    # why no elementwise output form exists, in the spec's words
    assert "None exists" in text and act.output_form_reason in text
    # the cancellation with cross-entropy, for n = 3 and for every n
    gen = loss_page.general_delta("ce", "softmax")
    assert tex(gen.in_a) in text and tex(gen.in_a_unit_targets) in text
    assert "✓ every n: proven symbolically" in text and "✓ Σy = 1: proven symbolically" in text
    assert tex(losses.ce.output_delta("softmax", n).in_a) in text
    # impl against the spec in high precision: one row per probe, no failure text
    assert "rel. error of impl's <code>backward</code>" in text
    assert text.count("(overflow)") >= 1  # the unshifted formula breaks down, impl does not
    assert "NOT PROVEN" not in text and "generated:" not in text


def test_the_activation_index_lists_vector_activations_in_their_own_group(site):
    article = page(site, "activations").split("<article", 1)[1]
    elementwise, vector = article.split('id="vector-activations"', 1)
    for name in activations.names(elementwise=False):
        assert f'href="{name}/"' in vector and f'href="{name}/"' not in elementwise
    for name in activations.names(elementwise=True):
        assert f'href="{name}/"' in elementwise


def test_vector_pages_never_reach_the_elementwise_code():
    act = activations.get("softmax")
    with pytest.raises(activations.NotElementwiseError, match="softmax"):
        activation_pages.elementwise_page("softmax")
    with pytest.raises(activations.NotElementwiseError, match="softmax"):
        activation_pages.stability_table(act)
    assert activation_pages.plot(act).startswith(b"\x89PNG")  # the two-unit plot, not f against z


# --- the losses page: one section per registered loss ---------------------------------------


def test_the_losses_page_has_one_section_per_registered_loss(site):
    import re

    text = page(site, "losses")
    sections = re.findall(r'<h3 id="([^"]+)">\s*<code>([^<]+)</code>', text)
    assert [name for _, name in sections] == list(losses.names())
    for name in losses.names():
        assert sp.latex(losses.get(name).expr) in text, name
    # cross-entropy with its softmax cancellation, and the saturation story in impl's own numbers
    assert sp.latex(losses.ce.expr) in text
    assert "Softmax and cross-entropy: the Jacobian cancels" in text and "log-sum-exp" in text


def test_the_losses_page_shows_impl_exact_at_saturation(site):
    import impl

    text = page(site, "losses")
    sigmoid, bce = impl.activations.get("sigmoid"), impl.losses.get("bce")
    for value in (30.0, 40.0):
        z, y = np.array([[value]]), np.array([[0.0]])
        delta = bce.delta_out(z, sigmoid.f(z), y, sigmoid)[0, 0]
        assert repr(float(delta)) in text
    assert "0.093" in text  # PyTorch's number, quoted


def test_a_loss_in_both_registries_gets_its_section_with_no_docs_edit(monkeypatch):
    import impl.losses

    from pages import loss_page

    spec_loss = losses.Loss("test_quartic", (a - losses.y) ** 4 / 4, None, "For this test only.")
    impl_loss = impl.losses.Loss(
        name="test_quartic", terms=lambda z, a, y, act: (a - y) ** 4 / 4, d_da=lambda a, y: (a - y) ** 3
    )
    monkeypatch.setattr(losses, "_REGISTRY", {**losses._REGISTRY, spec_loss.name: spec_loss})
    monkeypatch.setattr(impl.losses, "_REGISTRY", {**impl.losses._REGISTRY, impl_loss.name: impl_loss})
    # two output activations keep the test fast: one elementwise, one vector
    keep = {name: activations._REGISTRY[name] for name in ("sigmoid", "softmax")}
    monkeypatch.setattr(activations, "_REGISTRY", keep)
    section = loss_page.section("test_quartic")
    assert section.startswith("\n### `test_quartic`")
    assert sp.latex(spec_loss.expr) in section and sp.latex(spec_loss.d_da) in section
    assert "[sigmoid](activations/sigmoid.md)" in section and "[softmax](activations/softmax.md)" in section
    assert "d_da=lambda a, y: (a - y) ** 3" in section  # impl's own code
    assert "[`test_quartic`](#test_quartic)" in loss_page.summary()
    assert loss_page.sections().count("\n### `") == len(losses.names())


# --- the digits training page ------------------------------------------------------------------


def test_the_digits_page_shows_the_accuracies_impl_computes(site):
    pytest.importorskip("sklearn")
    from impl import Network
    from spec.cli import DIGITS_DEFAULTS as d
    from spec.tasks import digits

    text = words(site, "training-digits")
    data = digits(seed=0)
    fit = dict(epochs=d["epochs"], lr=d["lr"], batch_size=d["batch_size"])
    ce = Network(d["sizes"], loss="ce", seed=0, init=d["init"]).fit(data.X_train, data.Y_train.argmax(1), **fit)
    mse = Network(d["sizes"], loss="mse", seed=0, init=d["init"]).fit(data.X_train, data.Y_train, **fit)
    for net in (ce, mse):
        assert f"{net.score(data.X_test, data.Y_test.argmax(1)):.4f}" in text
    assert "$ backprop-spec train --task digits\n" in text and "$ backprop-spec train --task digits --loss mse" in text
    assert 'Network((64, 32, 10), loss="ce"' in text
    for call in ("net.fit(data.X_train, labels", "net.predict(", "net.predict_proba(", "net.score("):
        assert call in text
    assert "MLPClassifier" in text and "was importable in this build" in text
    assert (site / "img" / "training-digits-predictions.png").read_bytes().startswith(b"\x89PNG")


def test_the_digits_page_says_so_when_scikit_learn_is_missing(monkeypatch):
    from pages import training_page

    monkeypatch.setattr(training_page, "have_sklearn", lambda: False)
    monkeypatch.setattr(training_page, "run_png", lambda: b"")  # the XOR pictures are not the point here
    monkeypatch.setattr(training_page, "seeds_png", lambda: b"")
    for block in ("digits-command", "digits-api", "digits-comparison", "digits-figure", "digits-mse-command"):
        text = training_page.BLOCKS[block]()
        assert "Not measured in this build" in text and "backprop-spec[digits]" in text
    assert training_page.DIGITS_PNG not in training_page.images()
