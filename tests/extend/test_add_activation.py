"""`backprop-spec add-activation`, end to end, in a throwaway copy of the project.

Also the hardening: user text never becomes code (the files are printed from
the parsed expression and the module's syntax tree is whitelisted), one
added activation cannot break ``import impl`` or ``spec.activations``, the
symbolic work has a time budget, and f, f' must be real and finite on the
whole real line (decided symbolically, poles between grid points included).
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from spec import activations
from spec.extend import add_activation, codecheck
from spec.extend import sandbox as add_sandbox
from spec.parse import MAX_LENGTH, parse_expression

ROOT = Path(__file__).resolve().parents[2]
#: Every hostile input must end within this many seconds (the command's own budget is 20 s).
LIMIT = 30


@pytest.fixture
def project(tmp_path):
    """A copy of the project's sources, run with PYTHONPATH pointing at it."""
    copy = tmp_path / "project"
    copy.mkdir()
    for item in ("spec", "impl", "tests", "pyproject.toml"):
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, copy / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / item)
    return copy


def run(project, *args, timeout=900):
    env = dict(os.environ, PYTHONPATH=str(project))
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )


def snapshot(project):
    return {
        p.relative_to(project): p.read_bytes()
        for p in sorted((project / "spec").rglob("*")) + sorted((project / "impl").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_new_activation_is_derived_written_and_passes_its_tests(project):
    proc = run(project, "-m", "spec.cli", "add-activation", "mish", "z * tanh(log(1 + exp(z)))")
    assert proc.returncode == 0, proc.stderr
    assert "f'(z) = z*(1 - tanh(log(exp(z) + 1))**2)*exp(z)/(exp(z) + 1) + tanh(log(exp(z) + 1))" in proc.stdout
    assert "output form: none (f is not one-to-one" in proc.stdout
    assert "impl/added/act_mish.py" in proc.stdout and "review act_mish.py" in proc.stdout
    entries = json.loads((project / "spec" / "added_activations.json").read_text())
    assert entries[-1]["name"] == "mish"
    # the expression as SymPy prints it, not the text typed
    assert entries[-1]["expr"] == "z*tanh(log(exp(z) + 1))"
    code = (project / "impl" / "added" / "act_mish.py").read_text()
    assert "import sympy" not in code and "reviewed=False" in code

    # registered on both sides, usable by the trainer and the CLI
    check = run(
        project, "-c",
        "import impl, spec.activations as s, numpy as np\n"
        "assert 'mish' in s.names() and 'mish' in impl.activations.names()\n"
        "assert not impl.activations.get('mish').reviewed\n"
        "net = impl.Network((2, 3, 1), activation='mish', seed=0)\n"
        "print(net.forward(np.zeros((1, 2))).shape)\n",
    )
    assert check.returncode == 0, check.stderr
    derive = run(project, "-m", "spec.cli", "derive", "mish")
    assert derive.returncode == 0 and "no function of the output can give both" in derive.stdout

    # the registry-driven tests now cover it, with no further edits
    tests = run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "mish", "tests")
    assert tests.returncode == 0, tests.stdout[-3000:]
    passed = int(tests.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed >= 4


def test_an_activation_with_an_output_form_and_a_parameter(project):
    proc = run(project, "-m", "spec.cli", "add-activation", "scaled_tanh", "c * tanh(z)", "--param", "c=2")
    assert proc.returncode == 0, proc.stderr
    assert "output form: g(a) = 2 - a**2/2" in proc.stdout, proc.stdout
    tests = run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "scaled_tanh", "tests")
    assert tests.returncode == 0, tests.stdout[-3000:]


# --- hostile input through the command line: exit 2, one line, fast, nothing written ---------


@pytest.mark.parametrize(
    "args, message",
    [
        # 1. code injection through a comment, a docstring quote or a line break
        (["inj", 'z #"""; __import__("os").system("touch pwned"); """'], "EXPR: at position 3, '#': comments"),
        (["c2", '(z #"""\n)'], "EXPR: at position 4, '#': comments"),
        (["nl", "z\n+ 1"], "EXPR: at position 2, a line break"),
        (["evil", "__import__(z)"], "got a call to '__import__'"),
        (["evil3", "exec('1')"], "EXPR: at position 6, \"'\", which is not part of the grammar"),
        (["desc", "z", "--description", "line one\nline two"], "--description: expected one line of printable text"),
        # 2. names
        (["x" * 300, "2*z"], "NAME: expected a lower-case letter"),
        (["print", "2*z"], "NAME: 'print' is reserved"),
        # 3. numbers, nesting and time
        (["big", "1e309*z"], "EXPR: the number 1e309 is outside float64's range"),
        (["pw", "((((10**64)**64)**64)**64)**64"], "would be a number of about 4097 digits"),
        (["c0", "c*z", "--param", "c=1/0"], "--param c: 1/0 divides by zero"),
        (["cbig", "c*z", "--param", "c=1e100000000"], "--param c: the number '1e100000000' is outside float64's range"),
        (["minus", "--", "-" * 1990 + "z"], "EXPR: nested more than 100 levels deep"),
        (["eee", "exp(exp(exp(z)))", "--timeout", "3"], "took longer than 3 s"),
        (["t0", "z", "--timeout", "0"], "--timeout: expected a number of seconds"),
        # 4. poles between the grid points
        (["tanz", "tan(z)"], "tan(z) is not defined where cos(z) = 0, e.g. at z = pi/2"),
        (["pole", "1/(z - 1/3)"], "is not defined where z - 1/3 = 0, e.g. at z = 1/3"),
        # refused before the hardening too
        (["sigmoid", "z"], "NAME: an activation called 'sigmoid' already exists"),
        (["step", "Heaviside(z)"], "not differentiable almost everywhere"),
        (["logz", "log(z)"], "must be real and finite for every real z"),
        (["evil2", "z.__class__.__mro__"], "the construct"),
        (["cond", "Max(z, exp(z) - 1)"], "cannot tell where the pieces of f switch"),
    ],
    ids=lambda v: v[0][:12] if isinstance(v, list) else None,
)
def test_hostile_input_is_refused_fast_in_one_line_and_changes_nothing(project, args, message):
    before = snapshot(project)
    start = time.monotonic()
    proc = run(project, "-m", "spec.cli", "add-activation", *args, timeout=120)
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("backprop-spec: error: ") and "Traceback" not in proc.stderr
    assert elapsed < LIMIT
    assert snapshot(project) == before
    assert not (project / "pwned").exists()


@pytest.mark.parametrize(
    "name, expr, params, description, message",
    [
        # names
        ("not-a-name", "z", {}, "", "NAME: expected a lower-case letter"),
        ("class", "z", {}, "", "NAME: 'class' is reserved"),
        ("match", "z", {}, "", "NAME: 'match' is reserved"),
        ("len", "z", {}, "", "NAME: 'len' is reserved"),
        ("index", "z", {}, "", "NAME: 'index' is reserved"),
        ("_private", "z", {}, "", "NAME: expected a lower-case letter"),
        ("__init__", "z", {}, "", "NAME: expected a lower-case letter"),
        ("Mish", "z", {}, "", "NAME: expected a lower-case letter"),
        ("m\u00efsh", "z", {}, "", "NAME: expected a lower-case letter"),
        ("x" * 41, "z", {}, "", "got 41 characters"),
        ("mse", "z", {}, "", "NAME: 'mse' is the name of a loss"),
        # the characters of the grammar
        ("tab", "z\t+ 1", {}, "", "the control character '\\t'"),
        ("esc", "z\x1b", {}, "", "the control character '\\x1b'"),
        ("nul_byte", "z\x00", {}, "", "the control character '\\x00'"),
        ("uni", "z\u00b72", {}, "", "only ASCII characters are allowed"),
        ("wide", "\uff5a", {}, "", "only ASCII characters are allowed"),
        ("bidi", "z\u202e", {}, "", "only ASCII characters are allowed"),
        ("subscript", "[z][0]", {}, "", "'[', which is not part of the grammar"),
        ("lam", "lambda: z", {}, "", "':', which is not part of the grammar"),
        ("semi", "z; 1", {}, "", "';', which is not part of the grammar"),
        ("long", "z" + "+z" * MAX_LENGTH, {}, "", f"expected at most {MAX_LENGTH} characters"),
        ("kw", "Max(z, key=z)", {}, "", "got keyword arguments"),
        ("cmp", "z < 1", {}, "", "the construct 'z < 1'"),
        ("cplx", "1j*z", {}, "", "the constant '1j'"),
        ("pwc", "Piecewise((z, z > 0))", {}, "", "the last Piecewise condition"),
        ("pwc2", "Piecewise((z, z == 0), (1, True))", {}, "", "the condition 'z == 0'"),
        # numbers, powers, nesting
        ("tiny", "1e-400*z", {}, "", "the number 1e-400 is outside float64's range"),
        ("big", "1e200*z", {}, "", "outside the range of numbers allowed"),
        ("digits", "1" * 150 + "*z", {}, "", "is larger than 1e100 in size"),
        ("fold", "10**64*10**64*z", {}, "", "outside the range allowed"),
        ("expo", "z**100", {}, "", "the exponent 100"),
        ("hugeexp", "exp(10**64)*z", {}, "", "'exp(10**64)' is a number of about 10**4.34e+63"),
        ("hugemul", "exp(200)*exp(200)*z", {}, "", "numbers are limited to 1e100 in size"),
        ("longname", "z" * 1990, {}, "", "got the name 'zzzzzzzz"),
        ("div0", "z/0", {}, "", "divides by zero"),
        ("log0", "log(0)*z", {}, "", "is not finite"),
        ("calls", "exp(" * 120 + "z" + ")" * 120, {}, "", "nested more than 100 levels deep"),
        ("parens2", "(" * 250 + "z" + ")" * 250, {}, "", "too many nested parentheses"),
        ("tower", "z" + "**z" * 150, {}, "", "nested more than 100 levels deep"),
        # parameters
        ("pabc", "c*z", {"c": "abc"}, "", "--param c: expected a decimal number"),
        ("ppi", "c*z", {"c": "pi"}, "", "--param c: expected a decimal number"),
        ("pname", "z", {"1c": "2"}, "", "--param: expected NAME=NUMBER"),
        ("pz", "z", {"z": "2"}, "", "--param: expected NAME=NUMBER"),
        ("pexp", "z", {"exp": "2"}, "", "--param: expected NAME=NUMBER"),
        ("punused", "z", {"c": "2"}, "", "--param: c does not appear in EXPR"),
        ("pinf", "c*z", {"c": "1e309"}, "", "outside float64's range"),
        ("pbig", "c*z", {"c": "1e101"}, "", "outside the range allowed"),
        # descriptions
        ("dnl", "z", {}, "a\nb", "--description: expected one line of printable text; got '\\n'"),
        ("desc_esc", "z", {}, "\x1b[31mred", "--description: expected one line of printable text"),
        ("dlong", "z", {}, "x" * 201, "--description: expected at most 200 characters"),
        # not real and finite on the whole real line: decided symbolically
        ("sqrtz", "sqrt(z)", {}, "", "is not real where z < 0"),
        ("cube", "z**(1/3)", {}, "", "is not real where z < 0"),
        ("sqabs", "sqrt(Abs(z))", {}, "", "f'(z) must be real and finite for every real z (and have finite"),
        ("quad", "1/(z**2 - 2)", {}, "", "is not defined where z**2 - 2 = 0"),
        ("sinp", "1/(1 + sin(z))", {}, "", "is not defined where sin(z) + 1 = 0"),
        ("logc", "log(cos(z) + 1)", {}, "", "is not defined where cos(z) + 1 <= 0"),
        ("cplxc", "sqrt(-2)*z", {}, "", "f(z) must be real and finite for every real z"),
        ("negb", "(-2)**z", {}, "", "f(z) must be real and finite for every real z"),
        ("jump", "Piecewise((z + 1, z > 0), (z, True))", {}, "", "f jumps at z = 0"),
        ("undecided", "1/(exp(z) - z)", {}, "", "could not decide symbolically"),
    ],
)
def test_bad_input_is_refused_by_plan(name, expr, params, description, message):
    with pytest.raises(ValueError) as info:
        add_activation.plan(name, expr, params, description)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_long_flat_sum_is_not_too_deep():
    # a chain a + b + c ... is as deep as it is long in Python's tree; it counts as one level
    expr = parse_expression("+".join(["z"] * 900), {"z": activations.z})
    assert expr == 900 * activations.z


def test_param_values_are_exact_decimals_or_fractions():
    assert add_activation.parse_params(["c=1/3", "d=1.5", "e=-2e-3", "f=0"]) == {
        "c": "1/3", "d": "3/2", "e": "-1/500", "f": "0"
    }
    for bad, message in (["c=1/0", "divides by zero"], ["c=1e100000000", "outside float64's range"],
                         ["c", "expected NAME=NUMBER"], ["c=sqrt(2)", "expected a decimal number"]):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            add_activation.parse_params([bad])
    with pytest.raises(ValueError, match="given twice"):
        add_activation.parse_params(["c=1", "c=2"])


def test_the_time_budget_kills_the_child_and_names_the_stage():
    start = time.monotonic()
    with pytest.raises(ValueError) as info:
        add_sandbox.plan_in_child("eee", "exp(exp(exp(z)))", [], "", timeout=2)
    assert time.monotonic() - start < 2 + 5
    assert str(info.value).startswith("EXPR: ") and "took longer than 2 s; " in str(info.value)
    assert "nothing was written" in str(info.value)


def test_ctrl_c_stops_the_planning_child_too_and_writes_nothing(project):
    import signal

    before = snapshot(project)
    env = dict(os.environ, PYTHONPATH=str(project))
    proc = subprocess.Popen(
        [sys.executable, "-m", "spec.cli", "add-activation", "tower", "exp(exp(exp(z)))", "--timeout", "600"],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # wait until the planning child is running, then interrupt the command only
    children = []
    for _ in range(200):
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        if children:
            break
        time.sleep(0.05)
    assert children, "the planning child never started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "backprop-spec: add-activation interrupted"
    for pid in map(int, children):
        with pytest.raises(ProcessLookupError):
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)
    assert snapshot(project) == before


def test_the_child_returns_plain_data():
    result = add_sandbox.plan_in_child("tanh3", "tanh(z) * c", ["c=3"], "", timeout=60)
    assert set(result) == {"entry", "code", "module", "report"}
    assert result["entry"] == {
        "name": "tanh3", "expr": "c*tanh(z)", "params": {"c": "3"},
        "description": "Added with add-activation: f(z) = c*tanh(z)",
    }
    assert result["module"].endswith("impl/added/act_tanh3.py")
    assert "output form: g(a) = 3 - a**2/3" in result["report"]
    codecheck.check_module(result["code"], "tanh3")


# --- what is generated: printed from the parsed expression, whitelisted syntax ------------------

#: The registry's expressions, as SymPy prints them (parameters at their defaults), and
#: with the parameters kept where their names are allowed (SELU's lambda is a Python keyword).
#: Elementwise ones only: add-activation takes an expression in z, which a vector activation
#: (softmax, a function of the whole layer) is not.
REGISTERED = [(f"copy_{n}", str(activations.get(n).expr), {}) for n in activations.names(elementwise=True)] + [
    (f"copy_{n}_params", str(activations.get(n).symbolic_expr), {str(k): str(v) for k, v in activations.get(n).params.items()})
    for n in activations.names(elementwise=True) if activations.get(n).params and n != "selu"
]
COMMON = [
    ("mish_again", "z * tanh(log(1 + exp(z)))", {}),
    ("soft", "z/(1+abs(z))", {}),
    ("leaky_max", "Max(z, z/10)", {}),
    ("softplus2", "log(1+exp(z))", {}),
    ("bent", "sqrt(z**2+1) - 1", {}),
    ("zerf", "z*erf(z)", {}),
    ("arctan", "atan(z)", {}),
    ("clip", "Min(Max(z, -1), 1)", {}),
    ("erfish", "erf(z)", {}),
    ("asinh_act", "asinh(z)", {}),
    ("bump", "1/(1 + z**2)", {}),
    ("pi_gelu", "z*(1 + erf(z/sqrt(2)))/2 + pi*0 + z*pi/100", {}),
    ("power2", "2^z", {}),
    ("huber", "Piecewise((z**2/2, Abs(z) <= 1), (Abs(z) - 1/2, True))", {}),
    ("scaled", "c*tanh(z) + d*z", {"c": "1/3", "d": "0.01"}),
]


@pytest.mark.parametrize("name, text, params", REGISTERED + COMMON, ids=[c[0] for c in REGISTERED + COMMON])
def test_good_expressions_are_accepted_and_generate_whitelisted_code(name, text, params):
    plan = add_activation.plan(name, text, params)
    act = plan.activation
    if name.startswith("copy_"):
        # every registered activation's expression passes the checks under another name
        original = activations.get(name.removeprefix("copy_").removesuffix("_params"))
        assert sp.simplify(act.derivative - original.derivative) == 0
        assert (act.output_form is None) == (original.output_form is None)
    assert_whitelisted(plan.impl_code, name)
    codecheck.check_module(plan.impl_code, name)
    # the entry holds SymPy's printing of the parsed expression, which reads back the same
    allowed = {"z": activations.z} | {p: sp.Symbol(p, real=True) for p in params}
    assert parse_expression(plan.entry["expr"], allowed) == act.symbolic_expr
    # the code runs with only what it imports, and agrees with the spec on moderate inputs
    module = run_generated(plan.impl_code)
    t = np.linspace(-4, 4, 81) + 1 / 997
    for got, want in ((module.f(t), act.numpy_f(t)), (module.df(t), act.derived(1).numpy(t))):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # f'' printed by the same printer from the spec's f''
    assert module.ACTIVATION.d2f is module.d2f
    np.testing.assert_allclose(module.d2f(t), act.derived(2).numpy(t), rtol=1e-9, atol=1e-12)
    assert module.ACTIVATION.reviewed is False


def run_generated(code):
    import types

    module = types.ModuleType("generated_for_test")
    exec(compile(code, "generated_for_test.py", "exec"), module.__dict__)  # our own generated code
    return module


#: The syntax a generated module may contain (a check independent of spec.extend.codecheck).
ALLOWED_NODES = {
    ast.Module, ast.Expr, ast.Constant, ast.Import, ast.ImportFrom, ast.alias, ast.FunctionDef, ast.arguments,
    ast.arg, ast.Return, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
    ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Store, ast.List, ast.Tuple, ast.keyword, ast.Assign,
}
ALLOWED_NAMES = {"numpy", "scipy", "like", "Activation", "f", "df", "d2f", "df_from_output", "z", "a", "ACTIVATION"}


def assert_whitelisted(code, name):
    tree = ast.parse(code)
    for node in ast.walk(tree):
        assert type(node) in ALLOWED_NODES, ast.dump(node)[:200]
        if isinstance(node, ast.Name):
            assert node.id in ALLOWED_NAMES, node.id
        if isinstance(node, ast.Attribute):
            assert not node.attr.startswith("_"), node.attr
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            assert isinstance(root, ast.Name) and root.id in {"numpy", "scipy"}, ast.unparse(node)
        if isinstance(node, ast.FunctionDef):
            assert node.name in {"f", "df", "d2f", "df_from_output"} and not node.decorator_list
            assert len(node.body) == 1 and isinstance(node.body[0], ast.Return)
    docstring, *imports_and_rest = tree.body
    assert isinstance(docstring.value.value, str)
    assert [ast.unparse(node) for node in imports_and_rest[:4]] == [
        "import numpy", "import scipy.special", "from impl.activations import Activation", "from impl._added import like",
    ]
    assert [type(node) for node in imports_and_rest[4:]] in (
        [ast.FunctionDef] * 2 + [ast.Assign], [ast.FunctionDef] * 3 + [ast.Assign], [ast.FunctionDef] * 4 + [ast.Assign],
    )
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert strings == [docstring.value.value, name]


def test_hostile_descriptions_and_parameters_never_reach_the_code():
    hostile = '"""; import os; os.system("touch pwned") # </p><script>alert(1)</script>'
    plan = add_activation.plan("desc_inj", "c*tanh(z)", {"c": "1/3"}, hostile)
    assert plan.entry["description"] == hostile  # stored as data (JSON-escaped), shown escaped by the docs
    assert "os.system" not in plan.impl_code and "script" not in plan.impl_code
    assert_whitelisted(plan.impl_code, "desc_inj")
    codecheck.check_module(plan.impl_code, "desc_inj")


def test_text_in_comments_is_one_safe_line():
    assert add_activation._text('a\nb\r\n"""c\\d\u2028 \u00e9') == "a b ???c?d ?"


GOOD = add_activation.plan("good", "Max(z, z/10)").impl_code


@pytest.mark.parametrize(
    "old, new",
    [
        ("reviewed=False,\n)\n", "reviewed=False,\n)\nimport os\n"),
        ("    return numpy.maximum", "    return __import__('os').system('x') or numpy.maximum"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return numpy.load('x')"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return numpy.ctypeslib.as_array(z)"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return numpy.exp(z, out=z)"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return q"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return 'text'"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return (lambda: z)()"),
        ("    return numpy.maximum(z, (1/10)*z)", "    return scipy.special.__loader__"),
        ("    return numpy.maximum(z, (1/10)*z)", "    print(z)\n    return z"),
        ("def f(z):", "@staticmethod\ndef f(z):"),
        ("def f(z):", "def f(z, y=open('x')):"),
        ("reviewed=False", "reviewed=True"),
        ("name='good'", "name='other'"),
        ("range=(-numpy.inf, numpy.inf)", "range=(-numpy.inf, float('inf'))"),
        ("range_closed=(False, False)", "range_closed=(False, open('x'))"),
        ("range_closed=(False, False)", "range_closed=(0, 1)"),
        ("from impl._added import like", "from impl._added import like as like"),
        ("import numpy\n", "import numpy\nimport os\n"),
        ('"""good:', 'x = 1\n"""good:'),
        # d2f: said exactly when defined, in its place, a plain function like the others
        ("    d2f=d2f,", "    d2f=None,"),
        ("    d2f=d2f,", "    d2f=df,"),
        ("def d2f(z):\n    # f''(z) = 0\n    return like(z, 0)\n", ""),
        ("def d2f(z):", "def d2f(a):"),
        ("    return like(z, 0)", "    return numpy.load('x')"),
    ],
)
def test_the_code_check_refuses_anything_off_the_whitelist(old, new):
    codecheck.check_module(GOOD, "good")
    assert old in GOOD
    with pytest.raises(codecheck.UnsafeCode):
        codecheck.check_module(GOOD.replace(old, new, 1), "good")


# --- names: one added activation cannot break the others -------------------------------------


def test_names_that_were_module_attributes_no_longer_break_import_impl(project):
    # importing impl/added/NAME.py used to set impl.added.NAME, replacing its like, register_all,
    # importlib, pkgutil or numpy
    names = ["importlib", "numpy", "like", "pkgutil", "register_all", "annotations"]
    for name in names:
        proc = run(project, "-m", "spec.cli", "add-activation", name, "2*z")
        assert proc.returncode == 0, proc.stderr
        assert (project / "impl" / "added" / f"act_{name}.py").exists()
    check = run(
        project, "-c",
        "import numpy as np, impl, impl._added, spec.activations as s\n"
        f"names = {names!r}\n"
        "assert all(n in impl.activations.names() and n in s.names() for n in names)\n"
        "assert not impl.activations.load_errors() and not s.load_errors()\n"
        "assert callable(impl._added.like) and callable(impl._added.register_all)\n"
        "assert impl.activations.get('like').f(np.array([1.5]))[0] == 3.0\n",
    )
    assert check.returncode == 0, check.stderr


def test_a_broken_generated_module_does_not_break_import_impl(project):
    added = project / "impl" / "added"
    (added / "act_syntax.py").write_text("def f(z:\n")
    (added / "act_raises.py").write_text("raise RuntimeError('boom at import')\n")
    (added / "act_imports.py").write_text("import no_such_module_here\n")
    (added / "act_empty.py").write_text("x = 1\n")
    (added / "act_exits.py").write_text("import sys\nsys.exit(3)\n")
    (added / "old_style.py").write_text("ACTIVATION = Activation(name='old_style')\n")  # before the act_ prefix
    check = run(
        project, "-c",
        "import impl\n"
        "errors = impl.activations.load_errors()\n"
        "print(sorted(errors))\n"
        "for name in sorted(errors):\n"
        "    try:\n"
        "        impl.activations.get(name)\n"
        "    except ValueError as err:\n"
        "        print(err)\n"
        "print(impl.Network((2, 2, 1), seed=0).forward([[0.0, 1.0]]).shape)\n",
    )
    assert check.returncode == 0, check.stderr
    out = check.stdout
    assert "['empty', 'exits', 'imports', 'old_style', 'raises', 'syntax']" in out
    assert "impl/added/act_syntax.py could not be loaded: SyntaxError:" in out
    assert "impl/added/act_raises.py could not be loaded: RuntimeError: boom at import" in out
    assert "impl/added/act_imports.py could not be loaded: ModuleNotFoundError:" in out
    assert "impl/added/act_empty.py could not be loaded: LookupError: it defines no ACTIVATION" in out
    assert "impl/added/act_exits.py could not be loaded: SystemExit: 3" in out
    assert "rename it to impl/added/act_old_style.py" in out
    assert "(1, 1)" in out


@pytest.mark.parametrize(
    "content, key, message",
    [
        ("[", "<file>", "spec/added_activations.json: not valid JSON"),
        ('{"name": "x"}', "<file>", "expected a JSON list of entries, got a dict"),
        ('[{"name": "evil", "expr": "__import__(z)", "params": {}, "description": ""}]', "evil",
         "spec/added_activations.json: entry 0 ('evil'): expr: only numbers"),
        ('[{"name": "Bad-Name", "expr": "z", "params": {}, "description": ""}]', "Bad-Name",
         "entry 0 ('Bad-Name'): name: expected a lower-case letter"),
        ('[{"name": "desc", "expr": "z", "params": {}, "description": "a\\nb"}]', "desc",
         "entry 0 ('desc'): description: expected one line"),
        ('[{"name": "extra", "expr": "z", "params": {}, "description": "", "code": "x"}]', "extra",
         "entry 0 ('extra'): expected the keys name, expr, params, description"),
        ('[{"name": "sigmoid", "expr": "z", "params": {}, "description": ""}]', "<entry 0>",
         "entry 0 ('sigmoid'): activation: the name 'sigmoid' is already registered"),
        ('[{"name": "par", "expr": "c*z", "params": {"c": "1/0"}, "description": ""}]', "par",
         "entry 0 ('par'): params: c: 1/0 divides by zero"),
        ('["z"]', "<entry 0>", "entry 0: expected an object"),
    ],
)
def test_a_corrupt_or_hand_edited_json_entry_is_reported_not_raised(tmp_path, monkeypatch, content, key, message):
    bad = tmp_path / "added_activations.json"
    bad.write_text(content)
    monkeypatch.setattr(activations, "ADDED_FILE", bad)
    monkeypatch.setattr(activations, "_REGISTRY", activations._REGISTRY.copy())
    monkeypatch.setattr(activations, "_ADDED_ERRORS", {})
    monkeypatch.setattr("spec.added_files.display_path", lambda path: "spec/added_activations.json")
    activations._load_added()
    errors = activations.load_errors()
    assert list(errors) == [key]
    assert message in errors[key], errors[key]
    lookup = key if not key.startswith("<") else "no_such_name"
    with pytest.raises(ValueError) as info:
        activations.get(lookup)
    assert message in str(info.value)


def test_a_corrupt_json_file_is_reported_and_add_activation_refuses_to_touch_it(project):
    (project / "spec" / "added_activations.json").write_text("[{")
    before = snapshot(project)
    check = run(project, "-c", "import impl, spec.activations as s; print(s.load_errors())")
    assert check.returncode == 0 and "spec/added_activations.json: not valid JSON" in check.stdout
    proc = run(project, "-m", "spec.cli", "add-activation", "mish", "z*tanh(log(1 + exp(z)))")
    assert proc.returncode == 2
    assert "spec/added_activations.json: not valid JSON" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


# --- planning, unchanged behaviour -------------------------------------------------------------


def test_constant_pieces_and_unprintable_output_forms_are_planned():
    # (plan writes nothing) a clipped activation has a constant piece, whose value is
    # a plain number rather than an mpmath one: it is real and finite all the same
    clipped = add_activation.plan("clip_low", "Max(z, -1)")
    assert clipped.activation.kinks == (-1,)
    # erf's output form 2 exp(-erfinv(a)^2) / sqrt(pi) is proven, but SymPy's SciPy
    # printer has no erfinv: the generated code falls back to df(z) and says why
    erfish = add_activation.plan("erfish", "erf(z)")
    assert erfish.activation.output_form is not None
    assert "df_from_output=None" in erfish.impl_code
    assert "could not be printed as NumPy code" in erfish.impl_code
    compile(erfish.impl_code, "erfish.py", "exec")


def test_kinks_written_with_max_get_their_output_form():
    # leaky ReLU written as Max(z, z/10): SymPy's f'(0) is Heaviside(0) = 1/2 of the two
    # slopes, a convention at a point where f' does not exist; the output form is proven
    # on each piece and checked numerically everywhere else
    from spec.activations import a

    plan = add_activation.plan("leaky_max", "Max(z, z/10)")
    g = plan.activation.output_form
    assert g is not None
    assert g.subs(a, sp.Rational(3)) == 1 and g.subs(a, sp.Rational(-3, 10)) == sp.Rational(1, 10)
    assert "df_from_output=df_from_output" in plan.impl_code


def test_a_cubic_in_a_building_block_does_not_hang():
    # tanh(z) + tanh(z)^3 = a is a cubic in u = tanh(z): Cardano's radicals took SymPy
    # minutes to simplify (before, this test ran for minutes); such candidates are not
    # offered, and no output form is claimed
    plan = add_activation.plan("tanh_cubed", "tanh(z) + tanh(z)**3")
    assert plan.activation.output_form is None
    assert "could be proven" in plan.activation.derived(1).reason


def test_the_code_check_accepts_a_module_without_d2f_and_refuses_functions_out_of_order():
    # an f'' SymPy cannot print leaves d2f out: the module says d2f=None
    without = GOOD.replace("def d2f(z):\n    # f''(z) = 0\n    return like(z, 0)\n\n\n", "").replace("d2f=d2f", "d2f=None")
    assert "def d2f" not in without
    codecheck.check_module(without, "good")
    d2f_block = "def d2f(z):\n    # f''(z) = 0\n    return like(z, 0)\n\n\n"
    moved = GOOD.replace(d2f_block, "").replace("ACTIVATION = ", d2f_block + "ACTIVATION = ")
    with pytest.raises(codecheck.UnsafeCode):
        codecheck.check_module(moved, "good")
