r"""The backprop recurrence for every width and every depth: what SymPy proves, and what is stated.

`spec.network.prove_backprop` proves backpropagation for one network of
given sizes. This module proves the same recurrence once for all of them,
with the widths \(n_{l-1}\), \(n_l\) of a layer left as integer symbols,
the layer written with ``IndexedBase`` entries and ``Sum`` over its units
(counted from 1, as on the site), the hidden activation \(\sigma\) left
undefined (`spec.network.sigma`) and the loss \(L\) of one sample left
undefined. For one layer \(l\),

$$
z^{(l)}_k = \sum_{i=1}^{n_{l-1}} W^{(l)}_{ki}\, a^{(l-1)}_i + b^{(l)}_k, \qquad
a^{(l-1)}_i = \sigma(z^{(l-1)}_i).
$$

The steps of `prove_general`, each a `Step`:

(a) *Local derivatives*, proven by SymPy: ``sympy.diff`` of \(z^{(l)}_k\)
    by an entry gives sums with Kronecker deltas, evaluated for indices in
    range (\(1 \le j, q \le n_{l-1}\), \(1 \le k, p \le n_l\)):
    \(\partial z_k / \partial a_j = W_{kj}\),
    \(\partial z_k / \partial W_{pq} = \delta_{kp}\, a_q\),
    \(\partial z_k / \partial b_p = \delta_{kp}\), and through
    \(\sigma\), \(\partial z_k / \partial z^{(l-1)}_j = W_{kj}\, \sigma'(z^{(l-1)}_j)\).

(b) *The one-layer lemma.* The multivariable chain rule with a symbolic
    number \(n_l\) of intermediate variables,
    \(\partial L / \partial \theta = \sum_k \partial L / \partial z^{(l)}_k\;
    \partial z^{(l)}_k / \partial \theta\), is the one step SymPy cannot take
    by ``diff``: it has no function of \(n_l\) arguments for symbolic
    \(n_l\). It is the *stated premise* (L depends on \(\theta\) only through
    \(z^{(l)}\): every later layer sees only \(z^{(l)}\)). Given it, and
    \(\delta^{(l)}_k = \partial L / \partial z^{(l)}_k\), SymPy proves the
    rest: each factor (from (a), by ``diff`` inside the sum) and the
    reduction of the sum to the lemma's three formulas. As *supporting
    evidence* for the premise, and labelled so, SymPy applies the chain rule
    itself to an undefined \(L(z_1, \dots, z_{n_l})\) for \(n_l = 1, \dots, 6\).

(c) *The base case* \(\delta^{(D)} = \partial L / \partial z^{(D)}\), proven by
    SymPy for every registered loss and every compatible output activation:
    for an elementwise output, first with the output activation undefined
    (\(\tau\)) and any number of output units, then the named activation's
    \(\ell'(f(z))\, f'(z)\); for a vector output (softmax) with the
    activation itself and any number of units.

(d) *The induction over the layers*, written out in words
    (`INDUCTION`), not claimed as a SymPy proof.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp

from spec import activations, losses
from spec.network import sigma, sigma_prime, tau, tau_prime
from spec.proof import Proof, pull_out_of_sums, reduce_to_zero

# --- the symbols of one layer l (entries counted from 1) -------------------------------

#: The widths of layers l - 1 and l, and of the output layer D.
n_prev = sp.Symbol("n₍ₗ₋₁₎", integer=True, positive=True)
n_l = sp.Symbol("nₗ", integer=True, positive=True)
n_D = sp.Symbol("n_D", integer=True, positive=True)
#: Weights (n_l, n_{l-1}), biases (n_l,), the layer below's outputs and pre-activations (n_{l-1},).
W = sp.IndexedBase("W⁽ˡ⁾", real=True)
b = sp.IndexedBase("b⁽ˡ⁾", real=True)
a_prev = sp.IndexedBase("a⁽ˡ⁻¹⁾", real=True)
z_prev = sp.IndexedBase("z⁽ˡ⁻¹⁾", real=True)
#: Layer l's pre-activations and error terms delta(l)_k = dL/dz(l)_k.
z = sp.IndexedBase("z⁽ˡ⁾", real=True)
delta = sp.IndexedBase("δ⁽ˡ⁾", real=True)
#: The output layer's pre-activations and the targets.
z_D = sp.IndexedBase("z⁽ᴰ⁾", real=True)
y = sp.IndexedBase("y", real=True)
#: The loss of one sample, the loss of one output unit, and any variable the loss depends on through z(l).
L = sp.Symbol("L", real=True)
ell = sp.Symbol("ℓ", real=True)
theta = sp.Symbol("θ", real=True)
#: Unit indices: i summed over, j, q units of layer l - 1, k, p units of layer l.
i, j, k, p, q = sp.symbols("i j k p q", integer=True)

#: Where each free index runs: index -> width of its layer (1 <= index <= width).
RANGES = {j: n_prev, q: n_prev, k: n_l, p: n_l}

#: LaTeX for the symbols above (the docs print the steps with these names).
LATEX_NAMES = {
    n_prev: "n_{l-1}", n_l: "n_l", n_D: "n_D",
    W.label: "W^{(l)}", b.label: "b^{(l)}", a_prev.label: "a^{(l-1)}", z_prev.label: "z^{(l-1)}",
    z.label: "z^{(l)}", delta.label: r"\delta^{(l)}", z_D.label: "z^{(D)}", y.label: "y", L: "L", ell: r"\ell",
    theta: r"\theta",
}

# z(l)_k = sum_i W(l)_ki a(l-1)_i + b(l)_k
z_k = sp.Sum(W[k, i] * a_prev[i], (i, 1, n_prev)) + b[k]
# z(l)_k as a function of the layer below's pre-activations: a(l-1)_i = sigma(z(l-1)_i)
z_k_of_z_prev = sp.Sum(W[k, i] * sigma(z_prev[i]), (i, 1, n_prev)) + b[k]


@dataclass(frozen=True)
class Step(Proof):
    r"""One step of the general proof: a `Proof`, with what kind of step it is and its SymPy expressions.

    Attributes:
        part: ``"a"`` local derivatives, ``"b"`` the one-layer lemma,
            ``"c"`` the base case, ``"d"`` the induction.
        kind: ``"proven"`` (SymPy reduced the difference to 0), ``"premise"``
            (stated, not proven by SymPy), ``"evidence"`` (SymPy checks of
            instances, supporting a premise, not a proof of it) or
            ``"stated"`` (an argument written out in words).
        quantity: What is computed, e.g. the unevaluated
            \(\partial z^{(l)}_k / \partial a^{(l-1)}_j\); ``None`` for words.
        computed: What SymPy returned (``sympy.diff``, sums not yet evaluated).
        reduced: ``computed`` with the sums evaluated for indices in range.
        claimed: The formula claimed; ``ok`` when ``reduced - claimed`` reduced to 0.
    """

    part: str = ""
    kind: str = "proven"
    quantity: sp.Basic | None = None
    computed: sp.Basic | None = None
    reduced: sp.Basic | None = None
    claimed: sp.Basic | None = None

    def __str__(self) -> str:
        if self.kind == "premise":
            return f"{self.claim}: stated premise, not proven by SymPy ({self.method})"
        if self.kind == "stated":
            return f"{self.claim}: written out, not a SymPy proof"
        return super().__str__()

    @property
    def label(self) -> str:
        """The CLI's first column: ``ok``, ``FAIL``, ``premise`` or ``stated``."""
        if self.kind in ("premise", "stated"):
            return self.kind
        return "ok" if self.ok else "FAIL"


@dataclass
class GeneralProof:
    """The outcome of `prove_general`: its steps in order, and the time taken."""

    steps: list[Step]
    seconds: float = 0.0
    #: Widths n_l for which the chain rule's instances were checked (supporting evidence).
    evidence_widths: tuple[int, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every step SymPy was asked to prove (or check) came out so."""
        return all(s.ok for s in self.steps if s.kind in ("proven", "evidence"))

    def part(self, name: str) -> list[Step]:
        return [s for s in self.steps if s.part == name]


# --- evaluating sums of Kronecker deltas for indices in range ---------------------------


def _at_least_zero(relation):
    """``relation`` as ``e`` with ``e >= 0``, or None (only the non-strict relations are read)."""
    if isinstance(relation, sp.GreaterThan):
        return sp.expand(relation.lhs - relation.rhs)
    if isinstance(relation, sp.LessThan):
        return sp.expand(relation.rhs - relation.lhs)
    return None


def _holds_in_range(cond, ranges) -> bool:
    """Whether ``cond`` is a conjunction of the facts ``1 <= index <= width`` for the ``ranges`` given."""
    facts = set()
    for index, width in ranges.items():
        # 1 <= index  and  index <= width, each as e >= 0
        facts |= {sp.expand(index - 1), sp.expand(width - index)}
    parts = cond.args if isinstance(cond, sp.And) else (cond,)
    return all(_at_least_zero(c) in facts for c in parts)


def in_range(expr, ranges=None):
    r"""``expr`` with its sums of Kronecker deltas evaluated, every free index in its layer's range.

    ``Sum(g(i) KroneckerDelta(i, j), (i, 1, n))`` is SymPy's
    ``Piecewise((g(j), (j >= 1) & (j <= n)), (0, True))``; a piece whose
    condition is a conjunction of ``1 <= index <= width`` for ``ranges``
    (default `RANGES`) holds, so its value is taken. Repeated until nothing
    changes (a sum inside a sum).
    """
    ranges = RANGES if ranges is None else ranges
    for _ in range(4):
        new = sp.sympify(expr).doit().replace(
            lambda e: isinstance(e, sp.Piecewise) and _holds_in_range(e.args[0].cond, ranges),
            lambda e: e.args[0].expr,
        )
        if new == expr:
            break
        expr = new
    return expr


def _step(part, claim, quantity, computed, claimed, ranges=None, how="sympy.diff") -> Step:
    """Reduce ``computed`` for indices in range, prove it equal to ``claimed``, and say how."""
    reduced = in_range(computed, ranges)
    shown = sp.expand(pull_out_of_sums(reduced)) if reduced.has(sp.Sum) else reduced
    method = reduce_to_zero(reduced - claimed)
    if method is None:
        return Step(claim, False, f"{how}; difference did not reduce to 0", part, "proven", quantity, computed, shown, claimed)
    where = "; sums of Kronecker deltas evaluated for indices in range" if computed.has(sp.KroneckerDelta) else ""
    return Step(claim, True, f"{how}{where}; difference reduced to 0 by {method}", part, "proven", quantity, computed, shown, claimed)


# --- (a) the local derivatives -----------------------------------------------------------


def local_derivatives() -> list[Step]:
    r"""(a) \(\partial z^{(l)}_k\) by \(a^{(l-1)}_j\), \(W^{(l)}_{pq}\), \(b^{(l)}_p\) and \(z^{(l-1)}_j\), by ``sympy.diff``."""
    d = sp.KroneckerDelta
    cases = [
        (a_prev[j], z_k, W[k, j], "∂z⁽ˡ⁾ₖ/∂a⁽ˡ⁻¹⁾ⱼ = W⁽ˡ⁾ₖⱼ"),
        (W[p, q], z_k, d(k, p) * a_prev[q], "∂z⁽ˡ⁾ₖ/∂W⁽ˡ⁾ₚ_q = δₖₚ·a⁽ˡ⁻¹⁾_q"),
        (b[p], z_k, d(k, p), "∂z⁽ˡ⁾ₖ/∂b⁽ˡ⁾ₚ = δₖₚ"),
        (z_prev[j], z_k_of_z_prev, W[k, j] * sigma_prime(z_prev[j]), "∂z⁽ˡ⁾ₖ/∂z⁽ˡ⁻¹⁾ⱼ = W⁽ˡ⁾ₖⱼ·σ′(z⁽ˡ⁻¹⁾ⱼ)"),
    ]
    return [
        _step("a", claim, sp.Derivative(z[k], v, evaluate=False), sp.diff(zk, v), claimed)
        for v, zk, claimed, claim in cases
    ]


# --- (b) the one-layer lemma -------------------------------------------------------------

#: What the chain rule is applied to in the lemma: (variable, z(l)_k as a function of it, name).
_LEMMA_VARIABLES = (
    (z_prev[j], z_k_of_z_prev, "z⁽ˡ⁻¹⁾ⱼ"),
    (W[p, q], z_k, "W⁽ˡ⁾ₚ_q"),
    (b[p], z_k, "b⁽ˡ⁾ₚ"),
)


def chain_rule_premise() -> Step:
    r"""The premise of the lemma: \(\partial L/\partial\theta = \sum_k \delta^{(l)}_k\, \partial z^{(l)}_k/\partial\theta\)."""
    # dL/dtheta = sum_k dL/dz(l)_k dz(l)_k/dtheta, with delta(l)_k = dL/dz(l)_k
    rule = sp.Sum(delta[k] * sp.Derivative(z[k], theta, evaluate=False), (k, 1, n_l))
    return Step(
        "∂L/∂θ = Σₖ δ⁽ˡ⁾ₖ·∂z⁽ˡ⁾ₖ/∂θ with δ⁽ˡ⁾ₖ = ∂L/∂z⁽ˡ⁾ₖ, for θ = z⁽ˡ⁻¹⁾ⱼ, W⁽ˡ⁾ₚ_q, b⁽ˡ⁾ₚ "
        "(L depends on θ only through z⁽ˡ⁾₁ … z⁽ˡ⁾ₙₗ)",
        True,
        "the chain rule for nₗ intermediate variables, nₗ symbolic: SymPy has no function of nₗ arguments to diff",
        "b", "premise", sp.Derivative(L, theta, evaluate=False), None, None, rule,
    )


def one_layer_lemma(claims=None) -> list[Step]:
    r"""(b) From the premise: \(\partial L / \partial z^{(l-1)}_j\), \(\partial L / \partial W^{(l)}_{pq}\), \(\partial L / \partial b^{(l)}_p\).

    Each is \(\sum_k \delta^{(l)}_k\, \partial z^{(l)}_k / \partial\theta\) with the
    derivative taken by ``sympy.diff`` inside the sum, reduced for indices in
    range and proven equal to the claim. ``claims`` (default `LEMMA`) maps each
    variable's name to ``(claim text, formula)``: a wrong formula is not proven.
    """
    claims = LEMMA if claims is None else claims
    steps = []
    for v, zk, name in _LEMMA_VARIABLES:
        text, claimed = claims[name]
        # dL/dv = sum_k delta(l)_k dz(l)_k/dv
        computed = sp.Sum(delta[k] * sp.diff(zk, v), (k, 1, n_l))
        steps.append(_step("b", text, sp.Derivative(L, v, evaluate=False), computed, claimed,
                           how="Σₖ δ⁽ˡ⁾ₖ·(sympy.diff of z⁽ˡ⁾ₖ)"))
    return steps


#: The lemma's claims: the backprop formulas for layer l.
LEMMA = {
    # dL/dz(l-1)_j = (sum_k W(l)_kj delta(l)_k) sigma'(z(l-1)_j)
    "z⁽ˡ⁻¹⁾ⱼ": ("∂L/∂z⁽ˡ⁻¹⁾ⱼ = (Σₖ W⁽ˡ⁾ₖⱼ·δ⁽ˡ⁾ₖ)·σ′(z⁽ˡ⁻¹⁾ⱼ)",
                sp.Sum(W[k, j] * delta[k], (k, 1, n_l)) * sigma_prime(z_prev[j])),
    # dL/dW(l)_pq = delta(l)_p a(l-1)_q
    "W⁽ˡ⁾ₚ_q": ("∂L/∂W⁽ˡ⁾ₚ_q = δ⁽ˡ⁾ₚ·a⁽ˡ⁻¹⁾_q", delta[p] * a_prev[q]),
    # dL/db(l)_p = delta(l)_p
    "b⁽ˡ⁾ₚ": ("∂L/∂b⁽ˡ⁾ₚ = δ⁽ˡ⁾ₚ", delta[p]),
}


#: Widths of layer l for the chain rule's instances, and the width of layer l - 1 there.
EVIDENCE_WIDTHS, EVIDENCE_PREVIOUS_WIDTH = (1, 2, 3, 4, 5, 6), 3


def chain_rule_instances(widths=EVIDENCE_WIDTHS, previous=EVIDENCE_PREVIOUS_WIDTH) -> Step:
    r"""Supporting evidence for the premise: SymPy's own chain rule on an undefined \(L(z_1, \dots, z_{n_l})\).

    For each width \(n_l\) in ``widths`` (and \(n_{l-1}\) = ``previous``), with
    explicit symbols for every weight, bias and pre-activation below,
    ``sympy.diff`` of \(L(z^{(l)}(\theta))\) by every \(z^{(l-1)}_j\),
    \(W^{(l)}_{pq}\) and \(b^{(l)}_p\) is proven equal to the lemma's formula,
    \(\delta^{(l)}_k\) being SymPy's \(\partial L / \partial z_k\) at \(z^{(l)}\).
    Instances for these widths, not a proof for every \(n_l\).
    """
    count, failed = 0, []
    for n in widths:
        W_ = sp.Matrix(n, previous, lambda r, c: sp.Symbol(f"W_{r + 1}_{c + 1}", real=True))
        b_ = sp.Matrix(n, 1, lambda r, c: sp.Symbol(f"b_{r + 1}", real=True))
        z_prev_ = sp.Matrix(previous, 1, lambda r, c: sp.Symbol(f"zp_{r + 1}", real=True))
        x = sp.symbols(f"x_1:{n + 1}", real=True)
        L_of_z = sp.Function("L")(*x)
        # z(l) = W(l) sigma(z(l-1)) + b(l)
        at_z = dict(zip(x, W_ * z_prev_.applyfunc(sigma) + b_))
        loss = L_of_z.subs(at_z)
        # delta(l)_k = dL/dz_k, at z = z(l)
        delta_ = [sp.diff(L_of_z, xk).subs(at_z) for xk in x]
        checks = []
        for c in range(previous):
            # dL/dz(l-1)_j = (sum_k W_kj delta_k) sigma'(z(l-1)_j)
            claimed = sum(W_[r, c] * delta_[r] for r in range(n)) * sigma_prime(z_prev_[c])
            checks.append((f"z⁽ˡ⁻¹⁾ {c + 1}", sp.diff(loss, z_prev_[c]), claimed))
            for r in range(n):
                # dL/dW_pq = delta_p sigma(z(l-1)_q)
                checks.append((f"W {r + 1},{c + 1}", sp.diff(loss, W_[r, c]), delta_[r] * sigma(z_prev_[c])))
        for r in range(n):
            # dL/db_p = delta_p
            checks.append((f"b {r + 1}", sp.diff(loss, b_[r]), delta_[r]))
        for name, direct, claimed in checks:
            count += 1
            if reduce_to_zero(direct - claimed) is None:
                failed.append(f"nₗ = {n}, {name}")
    widths_text = ", ".join(map(str, widths))
    claim = (
        f"supporting evidence, not a proof for every nₗ: with L(z₁, …, zₙₗ) undefined, sympy.diff applies the "
        f"chain rule itself and gives the three formulas for nₗ = {widths_text} (n₍ₗ₋₁₎ = {previous})"
    )
    if failed:
        return Step(claim, False, f"{len(failed)} of {count} derivatives differ, first {failed[0]}", "b", "evidence")
    return Step(claim, True, f"sympy.diff on {count} derivatives, each difference reduced to 0", "b", "evidence")


# --- (c) the base case -------------------------------------------------------------------


def _output_pairs():
    """Every (loss, output activation) pair the registries allow, in registry order."""
    return [(l, act) for l in losses.names() for act in activations.names() if losses.compatible(l, act)]


def base_case() -> list[Step]:
    r"""(c) \(\delta^{(D)} = \partial L / \partial z^{(D)}\) for every loss and compatible output activation."""
    steps = []
    pairs = _output_pairs()
    a, y1 = activations.a, losses.y
    ranges = {k: n_D}
    elementwise_losses = [name for name in losses.names() if any(l == name and activations.get(act).elementwise for l, act in pairs)]
    for name in elementwise_losses:
        loss = losses.get(name)
        # L = sum_i l(tau(z(D)_i), y_i): any elementwise output activation tau, any number of units n_D
        value = sp.Sum(loss.expr.subs({a: tau(z_D[i]), y1: y[i]}), (i, 1, n_D))
        # delta(D)_k = l'(tau(z(D)_k), y_k) tau'(z(D)_k)
        claimed = loss.d_da.subs({a: tau(z_D[k]), y1: y[k]}) * tau_prime(z_D[k])
        steps.append(_step(
            "c", f"δ⁽ᴰ⁾ₖ = ∂/∂z⁽ᴰ⁾ₖ Σᵢ ℓ(τ(z⁽ᴰ⁾ᵢ), yᵢ) = ℓ′(τ(z⁽ᴰ⁾ₖ), yₖ)·τ′(z⁽ᴰ⁾ₖ)  [{name}, τ any elementwise output "
                 f"activation, any number of output units]",
            sp.Derivative(L, z_D[k], evaluate=False), sp.diff(value, z_D[k]), claimed, ranges,
        ))
    for name, act_name in pairs:
        loss, act = losses.get(name), activations.get(act_name)
        if act.elementwise:
            # the named tau: l'(f(z)) f'(z) = d l(f(z), y)/dz, one unit (the units are independent, above)
            od = loss.output_delta(act_name)
            method = reduce_to_zero(od.in_z - od.chain_rule)
            steps.append(Step(
                f"τ = {act_name}: ℓ′(f(z))·f′(z) = d ℓ(f(z), y)/dz  [{name}, {act_name}]", method is not None,
                f"difference reduced to 0 by {method}" if method else "difference did not reduce to 0",
                "c", "proven", sp.Derivative(ell, activations.z, evaluate=False), od.in_z, od.in_z, od.chain_rule,
            ))
        else:
            steps.append(_vector_base_case(loss, act))
            general = losses.general_output_delta(name, act_name)
            if general.in_a is not None:
                # what that is when the targets sum to 1 (softmax with cross-entropy: a - y), and when not
                steps.extend(
                    Step(f"{proof.claim.replace('delta_k', 'δ⁽ᴰ⁾ₖ')}  [{name}, {act_name}, any number of units]",
                         proof.ok, proof.method, "c", "proven")
                    for proof in general.proofs[1:]
                )
    return steps


def _vector_base_case(loss, act) -> Step:
    r"""\(\delta^{(D)}_k = \sum_i \ell'(a_i, y_i)\, G_{ik}(a)\) for a vector output, any number of units, ``act`` itself."""
    i0, k0, A = activations.i, activations.k, activations.A
    claim = f"δ⁽ᴰ⁾ₖ = ∂/∂zₖ Σᵢ ℓ({act.name}ᵢ(z), yᵢ) = Σᵢ ℓ′(aᵢ, yᵢ)·∂aᵢ/∂zₖ  [{loss.name}, {act.name}, any number of units]"
    G = act.general_jacobian_output_form
    direct = losses.GeneralOutputDelta(loss, act).in_z
    quantity = sp.Derivative(L, activations.Z[k0], evaluate=False)
    if G is None:
        return Step(claim, False, f"{act.name}'s Jacobian has no output form for every n", "c", "proven", quantity, direct)
    # delta_k = sum_i l'(a_i, y_i) G_ik(a), the Kronecker delta's sum evaluated for a unit k
    terms = sp.expand(loss.d_da.subs({activations.a: A[i0], losses.y: losses.Y[i0]}) * G)
    in_a = activations.evaluate_unit_deltas(sp.expand(pull_out_of_sums(sp.Sum(terms, (i0, 0, activations.n - 1)))))
    # a_t = f_t(z), for every index t (also inside the sums)
    in_z = in_a.replace(lambda e: isinstance(e, sp.Indexed) and e.base == A, lambda e: act.component.subs(i0, e.indices[0]))
    method = reduce_to_zero(in_z - direct)
    claim = f"{claim} = {activations.pretty_layer(in_a)}"
    if method is None:
        return Step(claim, False, "difference did not reduce to 0", "c", "proven", quantity, direct, direct, in_a)
    return Step(claim, True, f"sympy.diff, sums of Kronecker deltas evaluated for a unit k; difference reduced to 0 "
                f"by {method}", "c", "proven", quantity, direct, direct, in_a)


# --- (d) the induction, in words -----------------------------------------------------------

#: The induction over the layers, written out; not a SymPy proof.
INDUCTION = (
    "claim: for a network of any depth D ≥ 1 and any widths, the recurrence δ⁽ᴰ⁾ₖ = ℓ′(a⁽ᴰ⁾ₖ, yₖ)·f′(z⁽ᴰ⁾ₖ) "
    "(a vector output f: Σᵢ ℓ′(aᵢ, yᵢ)·∂aᵢ/∂zₖ), δ⁽ˡ⁻¹⁾ⱼ = (Σₖ W⁽ˡ⁾ₖⱼ·δ⁽ˡ⁾ₖ)·σ′(z⁽ˡ⁻¹⁾ⱼ) for l = D, …, 2 "
    "gives δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ for every l = 1 … D",
    "base: for l = D this is (c), with L = Σₖ ℓ(a⁽ᴰ⁾ₖ, yₖ), the loss of one sample summed over the output units",
    "step: if δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ for some l ≥ 2, the lemma (b) gives ∂L/∂z⁽ˡ⁻¹⁾ⱼ = (Σₖ W⁽ˡ⁾ₖⱼ·δ⁽ˡ⁾ₖ)·σ′(z⁽ˡ⁻¹⁾ⱼ), "
    "which is δ⁽ˡ⁻¹⁾ⱼ; so it holds for l − 1, and down to l = 1",
    "gradients: then for every layer l, the lemma gives ∂L/∂W⁽ˡ⁾ₚ_q = δ⁽ˡ⁾ₚ·a⁽ˡ⁻¹⁾_q and ∂L/∂b⁽ˡ⁾ₚ = δ⁽ˡ⁾ₚ "
    "(a⁽⁰⁾ = x, the input)",
    "batch: the loss of a batch is the sum of the samples' losses (or their mean, 1/N times it); "
    "differentiation is linear, so each gradient is the sum (mean) of the samples' gradients",
    "scope: hidden activations elementwise (σ); a vector output activation is covered by (c); "
    "a vector hidden activation (its Jacobian in the recurrence) is proven by prove --sizes only, for given sizes",
)


def induction() -> list[Step]:
    """(d) The induction over the layers, one `Step` per sentence of `INDUCTION`, kind ``"stated"``."""
    return [Step(text, True, "written out, not a SymPy proof", "d", "stated") for text in INDUCTION]


class GeneralProofTimeout(Exception):
    """`prove_general` ran out of its time budget after ``done`` of ``total`` groups of steps."""

    def __init__(self, done: int, total: int, seconds: float):
        self.done, self.total, self.seconds = done, total, seconds
        super().__init__(
            f"stopped after {seconds:.1f} s, the time limit, with {done} of {total} groups of steps checked"
        )


def prove_general(timeout: float | None = None) -> GeneralProof:
    """Every step, (a) to (d), in order: the backprop recurrence for every width and depth.

    Args:
        timeout: Seconds after which to stop with `GeneralProofTimeout`, checked
            before each group of steps (each takes about a second), or None for no limit.
    """
    start = time.perf_counter()
    groups = (local_derivatives, lambda: [chain_rule_premise()], one_layer_lemma,
              lambda: [chain_rule_instances()], base_case, induction)
    steps = []
    for done, group in enumerate(groups):
        if timeout is not None and time.perf_counter() - start > timeout:
            raise GeneralProofTimeout(done, len(groups), time.perf_counter() - start)
        steps += group()
    return GeneralProof(steps, time.perf_counter() - start, EVIDENCE_WIDTHS)


PARTS = {
    "a": "(a) local derivatives of z⁽ˡ⁾ₖ = Σᵢ W⁽ˡ⁾ₖᵢ·a⁽ˡ⁻¹⁾ᵢ + b⁽ˡ⁾ₖ, a⁽ˡ⁻¹⁾ᵢ = σ(z⁽ˡ⁻¹⁾ᵢ), "
         "for 1 ≤ j, q ≤ n₍ₗ₋₁₎ and 1 ≤ k, p ≤ nₗ (proven by SymPy)",
    "b": "(b) the one-layer lemma, δ⁽ˡ⁾ₖ = ∂L/∂z⁽ˡ⁾ₖ (the chain rule stated; each factor and the sum proven by SymPy)",
    "c": "(c) the base case δ⁽ᴰ⁾ = ∂L/∂z⁽ᴰ⁾, for every loss and compatible output activation (proven by SymPy)",
    "d": "(d) the induction over the layers (written out, not a SymPy proof)",
}

