"""`verify` runs the code it checks in a child process: code that exits, hangs, crashes,
prints or tampers is a finding, never a pass, and never takes the checker down."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

# A correct seed-style class (sigmoid, half squared error summed over samples),
# written out here so that every hostile variant below changes one thing in it.
CORRECT = textwrap.dedent(
    """
    import numpy as np

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    class Net:
        def __init__(self, input_size, hidden_size, output_size):
            self.W1 = np.zeros((hidden_size, input_size))
            self.b1 = np.zeros((hidden_size, 1))
            self.W2 = np.zeros((output_size, hidden_size))
            self.b2 = np.zeros((output_size, 1))

        def forward(self, X):
            self.a1 = sigmoid(self.W1 @ X + self.b1)
            self.a2 = sigmoid(self.W2 @ self.a1 + self.b2)
            return self.a2

        def backward(self, X, y, learning_rate):
            d2 = (self.a2 - y) * self.a2 * (1 - self.a2)
            d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
            self.W2 -= learning_rate * d2 @ self.a1.T
            self.b2 -= learning_rate * d2.sum(axis=1, keepdims=True)
            self.W1 -= learning_rate * d1 @ X.T
            self.b1 -= learning_rate * d1.sum(axis=1, keepdims=True)
    """
)


def user_file(tmp_path, extra: str, name="user_net.py"):
    """The correct class followed by ``extra`` (which may subclass or replace ``Net``)."""
    path = tmp_path / name
    path.write_text(CORRECT + "\n" + textwrap.dedent(extra))
    return path


def run(*args, guard=120):
    """The CLI in a fresh process; ``guard`` only turns a hang into a failure (it is not a timing claim)."""
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", *map(str, args)],
        capture_output=True, text=True, timeout=guard,
    )
    return proc.returncode, proc.stdout, proc.stderr


def line_of(path, text):
    return next(k for k, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def printed_pids(err, tag):
    """The pids the user's code printed as ``TAG pid ...`` (its output reaches stderr as ``[your code] ...``)."""
    for line in err.splitlines():
        if line.startswith(f"  [your code] {tag} "):
            return [int(p) for p in line.split()[3:]]
    pytest.fail(f"the user's code never printed {tag}: {err}")


def assert_dead(pids):
    """Every process whose pid the user's code reported has been killed."""
    for pid in pids:
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            # a killed child that nobody reaped yet is a zombie: not running
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().split(")")[-1].split()[0] == "Z":
                        break
            except FileNotFoundError:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"process {pid} started by the user's code is still running")


def test_the_correct_class_passes(tmp_path):
    code, out, err = run(user_file(tmp_path, ""))
    assert code == 0, out + err
    assert out.startswith("PASS: exact gradient descent of 1/2 * sum of squared errors")


def test_sys_exit_in_forward_is_a_failure_at_the_users_line(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            def forward(self, X):
                raise SystemExit(0)
    """)
    code, out, err = run(f"{path}:Net")
    assert code == 1, out + err
    assert out.startswith("FAIL")
    assert f"called sys.exit(0) (at user_net.py:{line_of(path, 'raise SystemExit')} in forward)" in out


def test_os_exit_is_a_failure(tmp_path):
    path = user_file(tmp_path, """
        import os
        class Net(Net):
            def backward(self, X, y, learning_rate):
                os._exit(0)
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "Net.backward(X, y, learning_rate) ended the process running it, with exit status 0" in out


def test_a_crash_is_a_failure_naming_the_signal(tmp_path):
    path = user_file(tmp_path, """
        import os, signal
        class Net(Net):
            def forward(self, X):
                os.kill(os.getpid(), signal.SIGSEGV)
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "killed by SIGSEGV" in out


def test_an_endless_loop_times_out_and_every_process_it_started_is_killed(tmp_path):
    path = user_file(tmp_path, """
        import os, signal, subprocess
        # ignores polite signals, and leaves a grandchild behind
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sleeper = subprocess.Popen(["sleep", "300"])
        print("PIDS", os.getpid(), sleeper.pid, flush=True)
        class Net(Net):
            def backward(self, X, y, learning_rate):
                while True:
                    pass
    """)
    code, out, err = run(path, "--timeout", "2")
    assert code == 1, out + err
    assert "Net.backward(X, y, learning_rate) gave no answer within the time limit of 2 s" in out
    assert_dead(printed_pids(err, "PIDS"))


def test_a_hang_at_import_cannot_be_driven(tmp_path):
    path = user_file(tmp_path, "while True:\n    pass\n")
    code, out, err = run(path, "--timeout", "2")
    assert code == 2, out + err
    assert "user_net.py gave no answer within the time limit of 2 s" in err


def test_a_prompt_for_input_gets_end_of_file(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            def forward(self, X):
                input("continue? ")
    """)
    code, out, err = run(path, "--timeout", "5")
    assert code == 1, out + err
    assert "raised EOFError" in out


def test_a_property_that_raises_points_at_its_line(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            @property
            def W1(self):
                raise RuntimeError("no weights today")
            @W1.setter
            def W1(self, value):
                pass
    """)
    code, out, err = run(path)
    # the property is the user's code: it raising when forward reads it is a finding
    assert code == 1, out + err
    assert f"RuntimeError: no weights today (at user_net.py:{line_of(path, 'no weights today')} in W1)" in out
    assert "Traceback" not in out + err


def test_json_stays_json_whatever_the_code_prints(tmp_path):
    path = user_file(tmp_path, """
        import os
        print("training at import...")
        class Net(Net):
            def forward(self, X):
                print("{not json")
                os.write(1, b"straight to fd 1\\n")
                return super().forward(X)
    """)
    code, out, err = run(path, "--json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["ok"] is True and report["scenarios"] == 45
    assert "[your code] training at import..." in err and "[your code] straight to fd 1" in err


def test_writing_into_the_checkers_pipes_is_a_failure_not_a_pass(tmp_path):
    # a forged answer on every descriptor the process has open
    path = user_file(tmp_path, """
        import json, os, struct
        forged = json.dumps({"ok": True, "value": {"kind": "None"}, "arrays": 0}).encode()
        class Net(Net):
            def backward(self, X, y, learning_rate):
                for fd in range(3, 64):
                    try:
                        os.write(fd, struct.pack(">Q", len(forged)) + forged)
                    except OSError:
                        pass
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert out.startswith("FAIL")


def test_patching_numpy_in_the_users_process_cannot_fool_the_checker(tmp_path):
    # wrong updates (no derivative at all), plus NumPy's comparisons made to always agree:
    # in the user's process only, so the verdict does not change
    path = user_file(tmp_path, """
        import numpy
        numpy.allclose = lambda *args, **kwargs: True
        numpy.isclose = lambda *args, **kwargs: True
        numpy.max = lambda *args, **kwargs: 0.0
        class Net(Net):
            def backward(self, X, y, learning_rate):
                d2 = self.a2 - y
                d1 = self.W2.T @ d2
                self.W2 -= learning_rate * d2 @ self.a1.T
                self.b2 -= learning_rate * d2.sum(axis=1, keepdims=True)
                self.W1 -= learning_rate * d1 @ X.T
                self.b1 -= learning_rate * d1.sum(axis=1, keepdims=True)
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "the activation derivative is missing in every error term (with 1/2 * sum of squared errors" in out


def test_a_forward_pass_with_no_output_to_be_found_cannot_be_driven(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            def forward(self, X):
                super().forward(X)
                del self.a2
                return "done"
    """)
    code, out, err = run(path)
    assert code == 2, out + err
    assert "Net.forward returned a str, and no attribute holds an output of shape (2, 7) or (7, 2)" in err


def test_an_output_that_changes_shape_later_is_a_finding(tmp_path):
    # discovery finds the output; later the same call returns something else
    path = user_file(tmp_path, """
        class Net(Net):
            calls = 0
            def forward(self, X):
                Net.calls += 1
                out = super().forward(X)
                return out if Net.calls < 5 else out[:, :1]
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "gave an output of shape" in out


def test_a_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import numpy\n\nclass Net(:\n    pass\n")
    code, out, err = run(path)
    assert code == 2
    assert "SyntaxError" in err and "broken.py:3" in err


def test_ctrl_c_kills_the_child_and_exits_130(tmp_path):
    path = user_file(tmp_path, """
        import os
        class Net(Net):
            def forward(self, X):
                print("STARTED", os.getpid(), flush=True)
                while True:
                    pass
    """)
    proc = subprocess.Popen(
        [sys.executable, "-m", "spec.cli", "verify", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    # the user's output reaches the checker's stderr: wait for the forward pass to start
    first = proc.stderr.readline()
    assert first.startswith("  [your code] STARTED "), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "backprop-spec: verify interrupted" and out == ""
    assert_dead([int(first.split()[-1])])


@pytest.mark.parametrize("option, value", [("--timeout", "0"), ("--timeout", "soon"), ("--seed", "-1")])
def test_bad_options_name_the_option(tmp_path, option, value):
    code, out, err = run(user_file(tmp_path, ""), option, value)
    assert code == 2
    assert option in err and "Traceback" not in err


def test_a_forward_pass_no_registered_activation_explains_is_undecided_not_failed(tmp_path):
    # a correct class with a leaky ReLU of slope 0.1 (the registry's has 0.01): verify cannot judge it
    path = tmp_path / "leaky.py"
    path.write_text(CORRECT.replace("return 1 / (1 + np.exp(-v))", "return np.where(v > 0, v, 0.1 * v)")
                    .replace("self.a2 * (1 - self.a2)", "np.where(self.a2 > 0, 1.0, 0.1)")
                    .replace("self.a1 * (1 - self.a1)", "np.where(self.a1 > 0, 1.0, 0.1)"))
    code, out, err = run(path)
    assert code == 2, out + err
    assert out.startswith("UNDECIDED: cannot judge: the forward pass matches no registered activations")
    assert "closest: " in out and "leaky_relu output" in out
    # with the activation pinned, a forward pass that is not the pinned one is a mismatch
    code, out, err = run(path, "--activation", "leaky_relu", "--output-activation", "leaky_relu")
    assert code == 1 and out.startswith("FAIL: the forward pass is not the spec's")


def test_a_process_that_escapes_into_a_session_of_its_own_is_killed_too(tmp_path):
    # a double fork into a new session leaves the process group the sandbox kills
    path = user_file(tmp_path, """
        import os, time
        first = os.fork()
        if first == 0:
            os.setsid()
            if os.fork() == 0:
                print("ESCAPED", os.getpid(), flush=True)
                time.sleep(300)
            os._exit(0)
        os.waitpid(first, 0)
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    assert_dead(printed_pids(err, "ESCAPED"))


@pytest.mark.parametrize("how", ["one entry", "every entry"])
def test_nan_in_an_update_never_passes(tmp_path, how):
    # a NaN compares false with everything: it must not slip through a tolerance check
    extra = "self.W1[0, 0] = np.nan" if how == "one entry" else "self.W1[...] = np.nan; self.b2[...] = np.nan"
    path = user_file(tmp_path, f"""
        class Net(Net):
            def backward(self, X, y, learning_rate):
                super().backward(X, y, learning_rate)
                {extra}
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "the training step leaves W1 with NaN or infinite entries" in out


def test_the_user_module_has_its_plain_import_name(tmp_path):
    # code that behaves only when it is not being checked cannot tell by its __name__
    path = user_file(tmp_path, """
        if __name__ != "user_net":
            class Net(Net):
                def backward(self, X, y, learning_rate):
                    pass
    """)
    code, out, err = run(path)
    assert code == 0, out + err


def test_a_message_cannot_fake_report_lines(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            def backward(self, X, y, learning_rate):
                raise ValueError("oops\\nPASS: everything matches\\x1b[2J")
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert not any(line.startswith("PASS") for line in out.splitlines())
    assert "\x1b" not in out and "oops\\nPASS" in out


def test_a_container_whose_iteration_never_ends_is_not_iterated(tmp_path):
    path = user_file(tmp_path, """
        class Endless(list):
            def __iter__(self):
                while True:
                    yield 0.0
        class Net(Net):
            def forward(self, X):
                out = super().forward(X)
                return Endless([out])
    """)
    code, out, err = run(path, "--timeout", "10")
    # read through list's own items: the output is found in it
    assert code == 0, out + err


def test_a_file_name_too_long_is_one_line(tmp_path):
    code, out, err = run(tmp_path / ("x" * 300 + ".py"))
    assert code == 2 and "File name too long" in err and len(err.strip().splitlines()) == 1


def _landlock_abi() -> int:
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return -1


def _need_landlock(abi):
    if _landlock_abi() < abi:
        pytest.skip(f"this kernel has no Landlock ABI {abi} (it has {_landlock_abi()}): the child cannot be confined")


def test_the_code_cannot_write_outside_its_own_folder(tmp_path):
    _need_landlock(1)
    project_file = tmp_path / "spec_like.py"
    project_file.write_text("original\n")
    path = user_file(tmp_path, f"""
        try:
            with open({str(project_file)!r}, "a") as f:
                f.write("tampered")
            print("WROTE")
        except OSError as err:
            print("write refused", err.errno)
        import tempfile
        with tempfile.NamedTemporaryFile("w") as scratch:  # its own folder works
            scratch.write("fine")
        print("scratch ok")
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    assert project_file.read_text() == "original\n"
    assert "[your code] write refused 13" in err and "[your code] scratch ok" in err and "WROTE" not in err
    assert "no file writes outside a private folder" in out


def test_the_code_cannot_stop_or_kill_the_checker(tmp_path):
    _need_landlock(6)
    path = user_file(tmp_path, """
        import os, signal
        for sig in (signal.SIGSTOP, signal.SIGTERM):
            try:
                os.kill(os.getppid(), sig)
                print("SIGNALLED")
            except OSError as err:
                print("signal refused", err.errno)
    """)
    code, out, err = run(path, guard=60)
    assert code == 0, out + err
    assert err.count("[your code] signal refused 1") == 2 and "SIGNALLED" not in err
    assert "no signals to the checker" in out


def test_a_training_method_that_changes_nothing_is_a_finding(tmp_path):
    path = user_file(tmp_path, """
        class Net(Net):
            def backward(self, X, y, learning_rate):
                pass
    """)
    code, out, err = run(path)
    assert code == 1, out + err
    assert "Net.backward(X, y, learning_rate) ran but changed no parameter and returned no gradients" in out

