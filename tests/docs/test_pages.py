"""The generated documentation pages: formulas from the spec, one page per activation, proofs, seed counts.

The site is built once for the module (``mkdocs build --strict``); the
vectorised XOR trainer of ``docs/hooks/pages/xor.py`` is compared with the
one-seed-at-a-time code it replaces.
"""

import html
import re
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from spec import activations, losses
from spec.activations import a

ROOT = Path(__file__).resolve().parents[2]
if not (ROOT / "docs" / "hooks" / "pages").is_dir() or not (ROOT / "benchmarks").is_dir():
    # e.g. an installation or a copy of the project without docs/ and benchmarks/
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


def article(site, path):
    """The page's own content, without the navigation and the table of contents around it."""
    text = page(site, path)
    return text[text.index('<article class="md-content__inner'):text.index("</article>")]


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
    # the sections come in teaching order: what we want, the chain rule (one path, all paths), the
    # error terms, the updates, the output form
    text = article(site, "derivation")
    headings = ["1. The network", "2. The loss", "3. What we want", "4. The chain rule on one path",
                "5. The chain rule on all paths", "6. The output error", "7. The hidden error",
                "8. Gradients and weight updates", "9. The output form"]
    at = [text.find(h) for h in headings]
    assert -1 not in at and at == sorted(at), dict(zip(headings, at))
    assert "generated:" not in text  # every marker was replaced


def test_derivation_writes_the_sum_over_paths_index_by_index(site):
    """Section 5: dL/dz(1)_j as a sum over the output units k, for each j and k, generated and proven."""
    text = article(site, "derivation")
    section = text[text.find("5. The chain rule on all paths"):text.find("6. The output error")]
    assert r"\sum_{k=1}^{n_2}" in section
    for j in (1, 2):
        for k in (1, 2):
            assert rf"\frac{{\partial L}}{{\partial z^{{(2)}}_{{{k}}}}} \cdot W^{{(2)}}_{{{k}{j}}} \cdot \sigma'\left(z^{{(1)}}_{{{j}}}\right)" in section, (j, k)
    assert "✓ proven symbolically for j = 1, 2 against the direct derivative" in section
    # what we want: one derivative per parameter, nine of them
    wanted = text[text.find("3. What we want"):text.find("4. The chain rule on one path")]
    assert wanted.count(r"\frac{\partial L}{\partial W^{(") == 4 + 2 + 2  # two matrices' names and 6 entries
    assert wanted.count(r"\frac{\partial L}{\partial b^{(") == 2 + 3


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


# --- one notation everywhere -------------------------------------------------------------


def test_indices_count_from_one_on_every_page(site):
    import re

    zero_based = re.compile(r"\b(?:d[Wb]|delta|a|W|b)\(\d\)\[(?:0|\d+,\s*0)\b")
    for path in ("derivation", "proofs", "notation"):
        text = page(site, path)
        assert not zero_based.search(text), (path, zero_based.search(text).group(0))
    assert "dL/dW(1)[1,1] = sum_n delta(1)[1] a(0)[1]" in page(site, "proofs")
    derivation = page(site, "derivation")
    assert "dL/dW(2)[1,2] = sum_n delta(2)[1] a(1)[2]" in derivation
    assert r"\partial L / \partial W^{(2)}_{12} = \sum_n \delta^{(2)}_{1,n}\, a^{(1)}_{2,n}" in derivation


def test_proofs_page_shows_the_general_proof_with_the_spec_formulas(site):
    from pages import common

    from spec import general

    text = article(site, "proofs")
    assert "For every width and depth" in text and "prove --general" in text
    proof = general.prove_general()
    assert proof.ok
    section = text[text.index("For every width and depth"):]
    for step in proof.part("a") + [s for s in proof.part("b") if s.kind == "proven"]:
        # SymPy's result (sums of Kronecker deltas) and the form for indices in range, as the spec's LaTeX
        for expr in (step.computed, step.reduced):
            formula = common.tex(expr, general.LATEX_NAMES, tau_name=r"\tau")
            assert formula in section, (step.claim, formula)
        assert step.claim in section
    # the premise and the induction are shown as stated, never as proven
    premise = next(s for s in proof.steps if s.kind == "premise")
    assert premise.claim in section and "stated premise, not proven by SymPy" in section
    for sentence in general.INDUCTION:
        assert sentence in html.unescape(section)
    assert "written out, not a SymPy proof" in section
    assert "supporting evidence, not a proof for every width" in section
    assert "NOT PROVEN" not in section
    # the lemma's formulas, as a reader expects them
    assert r"\sigma'\left({z^{(l-1)}}_{j}\right) \sum_{k=1}^{n_l} {W^{(l)}}_{k,j} {\delta^{(l)}}_{k}" in section
    assert r"{a^{(l-1)}}_{q} {\delta^{(l)}}_{p}" in section


def test_page_sources_have_no_control_characters():
    # "\\(\\tau_k\\)" written in a plain Python string once reached docs/proofs.md as a tab
    # followed by "au_k", and "\\nabla" as a line break: MathJax then shows neither.
    import re

    for path in sorted((ROOT / "docs").rglob("*.md")):
        text = path.read_text()
        bad = re.search(r"[\x00-\x08\x0b-\x1f\t]", text)
        assert bad is None, (path.name, text[max(0, bad.start() - 30):bad.end() + 30])


def test_one_learning_rate_symbol(site):
    for path in ("derivation", "notation", "verify", "losses", "pitfalls", "worked-example"):
        if not (site / path / "index.html").is_file():
            continue
        text = page(site, path)
        assert r"\alpha" not in text and "α" not in text, path
    assert r"\eta" in page(site, "derivation") and r"\eta" in page(site, "notation")


def test_notation_states_the_layouts_of_the_math_impl_and_the_tutorial(site):
    from impl import Network

    text = page(site, "notation")
    net = Network((2, 2, 1), seed=0)
    assert "<code>X</code> <code>(4, 2)</code>" in text and "<code>X</code> <code>(2, 4)</code>" in text
    assert f"<code>weights[0]</code> <code>{net.weights[0].shape}</code>" in text
    assert f"<code>biases[0]</code> <code>{net.biases[0].shape}</code>" in text
    assert "<code>b1</code> <code>(2, 1)</code>" in text
    assert "Indices count from 1" in text and "One sample per column, or one per row" in text


# --- the worked example ------------------------------------------------------------------


def test_worked_example_prints_what_impl_computes(site):
    """Every z, a, delta, gradient and updated parameter on the page, recomputed here from impl."""
    from impl import Network

    text = article(site, "worked-example")
    net = Network((2, 2, 1), seed=0)
    X, Y, lr = np.array([[1.0, 1.0]]), np.array([[0.0]]), 0.1
    W, b = net.weights, net.biases
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    z1 = W[0] @ X[0] + b[0]
    a1 = sig(z1)
    z2 = W[1] @ a1 + b[1]
    np.testing.assert_allclose(sig(z2), net.forward(X)[0], rtol=1e-15)
    dW, db = net.gradients(X, Y)
    values = [*W[0].ravel(), *b[0], *W[1].ravel(), *b[1], *z1, *a1, *z2, *sig(z2), net.loss_value(X, Y), *db[1], *db[0]]
    values += [g for d in dW + db for g in np.ravel(d)]
    values += [p - lr * g for P, G in zip(W + b, dW + db) for p, g in zip(np.ravel(P), np.ravel(G))]
    for v in values:
        shown = f"{v:.6f}"
        assert shown in text, shown
    net.step(X, Y, lr)
    assert f"to <strong>{net.loss_value(X, Y):.6f}</strong>" in text
    assert "generated:" not in text and "NOT" not in text


def test_worked_example_stops_the_build_when_impl_disagrees_with_the_spec(monkeypatch):
    from impl import Network
    from pages import common, worked_example

    gradients = Network.gradients
    monkeypatch.setattr(Network, "gradients", lambda self, X, Y: tuple([2 * g for g in d] for d in gradients(self, X, Y)))
    worked_example.example.cache_clear()
    try:
        with pytest.raises(common.BuildFailure, match="spec's oracle"):
            worked_example.example()
    finally:
        worked_example.example.cache_clear()


def test_worked_example_follows_the_derivation_in_the_nav():
    import yaml

    nav = [next(iter(entry.values())) for entry in yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]]
    assert nav.index("worked-example.md") == nav.index("derivation.md") + 1


# --- the verify page's class to copy ----------------------------------------------------


def test_the_class_to_copy_passes_verify_and_its_report_is_on_the_page(site):
    from spec.cli import commands as cli

    example = ROOT / "docs" / "examples" / "my_network.py"
    import re

    raw = (site / "verify" / "index.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", raw))  # the text, highlighting spans removed
    assert example.read_text() in text  # the whole file, as it is
    assert "$ .venv/bin/backprop-spec verify docs/examples/my_network.py\nPASS: exact gradient descent" in text
    assert cli.main(["verify", str(example)]) == 0
    assert (site / "examples" / "my_network.py").read_text() == example.read_text()  # the download link
    # it is written to be read on a phone: no line longer than a 390 px code block shows
    assert max(len(line) for line in example.read_text().splitlines()) <= 44


def test_the_class_to_copy_learns_xor():
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "my_network.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = np.array([float(v) for v in proc.stdout.replace("[", " ").replace("]", " ").split()])
    assert list(out.round()) == [0, 1, 1, 0], proc.stdout


def test_commands_on_the_pages_work_from_the_project_folder(site):
    """A command written for the reader to type names the venv's script, or the page says to activate it."""
    import re

    checked = []
    for html_file in sorted(site.rglob("index.html")):
        text = html.unescape(html_file.read_text())
        for block in re.findall(r"<pre><span></span><code>(.*?)</code></pre>", text, flags=re.S):
            plain = re.sub(r"<[^>]+>", "", block)
            for line in plain.splitlines():
                command = line.removeprefix("$ ").strip()
                if re.match(r"(backprop-spec (train|derive|prove|verify|add-activation|remove-activation)|pytest|python -m pytest)\b", command):
                    raise AssertionError(f"{html_file.parent.name}: {line!r} needs the venv: write .venv/bin/...")
                if command.startswith(".venv/bin/backprop-spec "):
                    checked.append(command)
    # the pattern found the code blocks, and in them the commands it is there to check (the pages
    # have dozens); a theme that renders code blocks differently must not leave this test empty
    assert len(checked) >= 10, f"the code-block pattern found {len(checked)} venv commands on the pages"


def test_api_page_renders_the_returns_sections(site):
    """Returns: in prose is description, not a type: no literal ``self`` (griffe once read the text before a colon as a type)."""
    text = (site / "api" / "index.html").read_text()
    assert "``" not in text
    assert "<p><code>self</code>. <code>history</code> holds one float per epoch: the batch" in text
    assert "<p><code>(dW, db)</code>: lists of arrays shaped like" in text


def test_performance_page_puts_the_result_first(site):
    text = article(site, "performance")
    result, method = text.find("The result"), text.find("How it is measured")
    assert 0 <= result < text.find("goals met</strong> in the committed run") < text.find("img/performance-goals.png") < method
    # one time for `make bench` everywhere, measured (2 min 41 s with 7 repetitions, 3.9 min with 11)
    for path in ("README.md", "Makefile", "docs/performance.md", "docs/hooks/pages/performance.py"):
        source = (ROOT / path).read_text()
        assert "10 min" not in source and "~10" not in source, path


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


@pytest.mark.parametrize("name", activations.names(elementwise=True))
def test_every_elementwise_page_shows_the_spec_second_derivative_and_its_plot(site, name):
    from pages.common import tex

    act = activations.get(name)
    text = article(site, f"activations/{name}")
    section = text[text.index('id="second-derivative"'):text.index('id="numerical-stability"')]
    shown = tex(activations.display(act.derived(2).display), activation_pages.param_names(act))
    assert f"f''(z) = {shown}" in section
    if act.derived(2).output_form is None:
        assert "No output form" in section and act.derived(2).reason in section
    else:
        assert tex(activations.display(act.derived(2).output_form)) in section
        assert section.count("✓") >= 2 + len(act.derived(2).proofs)  # derived, tested, and each proof
    for point, (left, right) in act.derived(2).one_sided.items():
        if left != right:  # where f'' jumps, the value taken there is stated
            assert f"f''({tex(point)}) = {tex(activations.display(act.derived(2).expr.subs(activations.z, point)))}" in section
    assert f'src="../{name}-d2.png"' in section
    png = (site / "activations" / f"{name}-d2.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_the_softmax_page_says_why_there_is_no_scalar_second_derivative(site):
    assert "3-tensor" in words(site, "activations/softmax")
    assert not (site / "activations" / "softmax-d2.png").exists()


def test_adding_an_activation_adds_its_page_with_no_other_edit(monkeypatch):
    act = activations.Activation("test_scaled_tanh", 2 * sp.tanh(activations.z), "For this test only.")
    # a registry holding only the new activation keeps the test fast; the hook calls the same files()
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy(only=()))
    activations.register(act)
    files = activation_pages.files()
    assert set(files) == {"activations/index.md", "activations/test_scaled_tanh.md", "activations/test_scaled_tanh.png",
                          "activations/test_scaled_tanh-d2.png"}
    assert files["activations/test_scaled_tanh-d2.png"].startswith(b"\x89PNG")
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
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy(only=()))
    activations.register(act)
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
    from spec.cli.defaults import XOR_DEFAULTS as d

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
    from spec.cli.tasks import xor as xor_data

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
    from pages.common import tex, tex_layer

    text = page(site, "activations/softmax")
    act = activations.get("softmax")
    n = vector_activation.N_SHOWN
    # the component, the Jacobian derived by SymPy (the sum of exponentials written s) and its output form,
    # with the units counted from 1 as on every page
    assert tex_layer(act.component) in text and r"\sum_{j=1}^{n}" in text
    shown, total = vector_activation._jacobian_through_s(act, n)
    assert tex_layer(shown) in text and tex_layer(total) in text
    assert tex_layer(act.jacobian_output_form(n)) in text
    assert "a_{1} \\left(1 - a_{1}\\right)" in text and "z_{0}" not in text and "a_{0}" not in text
    # and for any number of units: sympy.diff by z_k, written through the outputs, proven
    assert tex_layer(act.general_jacobian) in text and tex_layer(act.general_jacobian_output_form) in text
    assert "✓ proven symbolically: for any n, every i and k" in text and all(p.ok for p in act.general_proofs())
    assert r"\operatorname{diag}(a) - a\,a^T" in text
    # the proof marks: J = G(f(z)), the compact form for several widths, softmax of two units = sigmoid
    assert f"✓ proven symbolically: J(z) = G(f(z)) for n = {n}" in text
    widths = ", ".join(map(str, vector_activation.COMPACT_WIDTHS))
    assert f"✓ proven symbolically: G(a) = diag(a) - a aᵀ for n = {widths}" in text
    assert all(p.ok for p in act.proofs(n))
    assert tex(activations.get("sigmoid").expr) in text
    # why no elementwise output form exists, in the spec's words
    assert "None exists" in text and act.why_not_elementwise(1) in text
    # the cancellation with cross-entropy, for n = 3 and for every n
    gen = loss_page.general_delta("ce", "softmax")
    assert tex_layer(gen.in_a) in text and tex_layer(gen.in_a_unit_targets) in text
    assert "✓ every n: proven symbolically" in text and "✓ Σy = 1: proven symbolically" in text
    assert tex_layer(losses.ce.output_delta("softmax", n).in_a) in text
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
    monkeypatch.setattr(losses, "_REGISTRY", losses._REGISTRY.copy())
    losses.register(spec_loss)
    monkeypatch.setattr(impl.losses, "_REGISTRY", impl.losses._REGISTRY.copy())
    impl.losses.register(impl_loss)
    # two output activations keep the test fast: one elementwise, one vector
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy(only=("sigmoid", "softmax")))
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
    from spec.cli.defaults import DIGITS_DEFAULTS as d
    from spec.cli.tasks import digits

    text = words(site, "training-digits")
    data = digits(seed=0)
    fit = dict(epochs=d["epochs"], lr=d["lr"], batch_size=d["batch_size"])
    ce = Network(d["sizes"], loss="ce", seed=0, init=d["init"]).fit(data.X_train, data.Y_train.argmax(1), **fit)
    mse = Network(d["sizes"], loss="mse", seed=0, init=d["init"]).fit(data.X_train, data.Y_train, **fit)
    for net in (ce, mse):
        assert f"{net.score(data.X_test, data.Y_test.argmax(1)):.4f}" in text
    assert "$ .venv/bin/backprop-spec train --task digits\n" in text and "$ .venv/bin/backprop-spec train --task digits --loss mse" in text
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


def test_every_name_the_api_page_documents_exists_and_every_public_verify_name_is_shown(site):
    """A ``::: name`` that does not resolve would be dropped silently: each is imported here, and
    ``spec.verify``'s public names (its ``__all__``) are on the built page."""
    import importlib

    source = (ROOT / "docs" / "api.md").read_text()
    names = re.findall(r"^::: ([\w.]+)\s*$", source, flags=re.M)
    assert len(names) >= 10, names
    # the members an entry lists (``options: members: - name``) are names of that module too
    for block in re.split(r"^::: ", source, flags=re.M)[1:]:
        owner = block.split()[0]
        names += [f"{owner}.{m}" for m in re.findall(r"^ {8}- (\w+)\s*$", block.split("\n\n")[0], flags=re.M)]
    for name in names:
        module, _, attr = name.rpartition(".")
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), attr), f"docs/api.md documents {name}, which does not exist"
    import spec.verify

    page = (site / "api" / "index.html").read_text()
    for public in spec.verify.__all__:
        assert f"spec.verify.{public}" in page or f'id="spec.verify.{public}"' in page, public
