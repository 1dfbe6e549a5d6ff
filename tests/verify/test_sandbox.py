"""`verify` runs the code it checks in a child process: code that exits, hangs, crashes,
prints or tampers is a finding, never a pass, and never takes the checker down."""

import json
import os
import shutil
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


def name_self(marker):
    """User code that renames its process to ``marker`` (seen in /proc/PID/comm from outside any namespace:
    pids printed inside a pid namespace mean nothing outside it)."""
    return f"__import__('ctypes').CDLL(None).prctl(15, {marker.encode()!r}, 0, 0, 0)"  # PR_SET_NAME


def running(marker):
    """Pids of live (not zombie) processes named ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                name, state = stat.read().rsplit(")", 1)
        except OSError:
            continue
        if name.split("(", 1)[1] == marker and state.split()[0] != "Z":
            found.append(int(entry))
    return found


def assert_gone(marker, within=5.0):
    """Every process the user's code named ``marker`` has ended within a few seconds."""
    deadline = time.monotonic() + within
    while running(marker):
        if time.monotonic() > deadline:
            pytest.fail(f"processes named {marker} started by the user's code still run: {running(marker)}")
        time.sleep(0.1)


def has_bwrap():
    return shutil.which("bwrap") is not None


def need_bwrap():
    """Skip (or fail, with REQUIRE_SANDBOX=1, as in CI) where bubblewrap is missing."""
    if not has_bwrap():
        if os.environ.get("REQUIRE_SANDBOX") == "1":
            pytest.fail("bubblewrap (bwrap) is not installed (REQUIRE_SANDBOX=1)")
        pytest.skip("bubblewrap (bwrap) is not installed: the code is only confined by Landlock "
                    "(set REQUIRE_SANDBOX=1 to make this a failure)")


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
    marker = f"bps-loop-{os.getpid() % 10000}"
    path = user_file(tmp_path, f"""
        import os, signal, subprocess, sys
        # ignores polite signals, and leaves a grandchild behind
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        {name_self(marker)}
        sleeper = subprocess.Popen([sys.executable, "-c", "{name_self(marker)}; import time; time.sleep(300)"])
        class Net(Net):
            def backward(self, X, y, learning_rate):
                while True:
                    pass
    """)
    code, out, err = run(path, "--timeout", "2")
    assert code == 1, out + err
    assert "Net.backward(X, y, learning_rate) gave no answer within the time limit of 2 s" in out
    assert_gone(marker)


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
    marker = f"bps-int-{os.getpid() % 10000}"
    path = user_file(tmp_path, f"""
        class Net(Net):
            def forward(self, X):
                {name_self(marker)}
                print("STARTED", flush=True)
                while True:
                    pass
    """)
    proc = subprocess.Popen(
        [sys.executable, "-m", "spec.cli", "verify", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    # the user's output reaches the checker's stderr: wait for the forward pass to start
    first = proc.stderr.readline()
    assert first.startswith("  [your code] STARTED"), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "backprop-spec: verify interrupted" and out == ""
    assert_gone(marker)


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
    marker = f"bps-esc-{os.getpid() % 10000}"
    path = user_file(tmp_path, f"""
        import os, time
        first = os.fork()
        if first == 0:
            os.setsid()
            if os.fork() == 0:
                {name_self(marker)}
                print("ESCAPED", flush=True)
                time.sleep(300)
            os._exit(0)
        os.waitpid(first, 0)
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    assert "[your code] ESCAPED" in err
    assert_gone(marker)


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
    # refused by Landlock (EACCES) or, under bubblewrap, by a read-only mount (EROFS)
    refused = "[your code] write refused 30" if has_bwrap() else "[your code] write refused 13"
    assert refused in err and "[your code] scratch ok" in err and "WROTE" not in err
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
    # the checker ran on to a verdict: neither stopped nor killed
    assert code == 0, out + err
    if has_bwrap():
        # in its own pid namespace the checker has no pid: its parent is bubblewrap's init
        assert "2 processes visible" in out
    else:
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



# --- the audit's findings: what a hostile file must not be able to do (bubblewrap) --------------


def test_a_file_outside_its_folder_cannot_be_read_into_the_report(tmp_path, tmp_path_factory):
    need_bwrap()
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("MARKER-SECRET-FILE-4711")
    path = user_file(tmp_path, f"""
        text = "nothing"
        try:
            text = open({str(secret)!r}).read()
        except OSError as err:
            print("read refused", type(err).__name__)
        print(text)
        class Net(Net):
            def backward(self, X, y, learning_rate):
                raise ValueError(text)
    """)
    for args in ((path,), (path, "--json")):
        code, out, err = run(*args)
        assert code == 1, out + err
        assert "MARKER-SECRET-FILE" not in out + err
        assert "[your code] read refused FileNotFoundError" in err


def test_the_environment_of_whoever_runs_verify_is_not_inherited(tmp_path):
    need_bwrap()
    path = user_file(tmp_path, """
        import os
        print("ENV", sorted(os.environ))
        for pid in os.listdir("/proc"):
            try:
                print("PROC", pid, open(f"/proc/{pid}/environ", "rb").read().replace(b"\\0", b" ").decode())
            except (OSError, UnicodeDecodeError):
                pass
    """)
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", str(path)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "X_SECRET": "MARKER-SECRET-ENV-4711"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[your code] ENV " in proc.stderr and "X_SECRET" not in proc.stderr
    assert "MARKER-SECRET-ENV" not in proc.stdout + proc.stderr


def test_the_code_reaches_no_socket_of_the_machine(tmp_path, tmp_path_factory):
    import socket

    need_bwrap()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    folder = tmp_path_factory.mktemp("sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(folder / "s"))
    unix.listen(1)
    unix.settimeout(0.5)
    path = user_file(tmp_path, f"""
        import os, socket
        def attempt(name, action):
            try:
                action()
                print("DONE", name)
            except OSError as err:
                print("REFUSED", name, err.errno)
        def udp():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"hello", ("127.0.0.1", {udp.getsockname()[1]}))
        def unix():
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect({str(folder / "s")!r})
        attempt("udp", udp)
        attempt("unix", unix)
        attempt("raw", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
        attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
        def unshare():
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
                raise OSError(ctypes.get_errno(), "unshare")
        attempt("unshare", unshare)
        print("CAPS", [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])
        print("IFACES", [n for _, n in socket.if_nameindex()])
    """)
    try:
        code, out, err = run(path)
        assert code == 0, out + err
        with pytest.raises(socket.timeout):
            udp.recvfrom(100)
        with pytest.raises(socket.timeout):
            unix.accept()
    finally:
        udp.close()
        unix.close()
    for name in ("unix", "raw", "packet", "unshare"):
        assert f"[your code] REFUSED {name} " in err, err
    assert "[your code] CAPS 0000000000000000" in err and "[your code] IFACES ['lo']" in err
    assert "no capabilities, network: lo," in out


def test_files_it_cannot_write_keep_their_mode_owner_times_and_flags(tmp_path, tmp_path_factory):
    need_bwrap()
    outside = tmp_path_factory.mktemp("outside") / "project.py"
    outside.write_text("x = 1\n")
    beside = tmp_path / "beside.py"  # in its own folder: visible, read-only
    beside.write_text("y = 2\n")
    before = {p: os.stat(p) for p in (outside, beside)}
    path = user_file(tmp_path, f"""
        import fcntl, os, struct
        for target in ({str(outside)!r}, {str(beside)!r}):
            for name, action in (
                ("chmod", lambda: os.chmod(target, 0o777)),
                ("chown", lambda: os.chown(target, 65534, 65534)),
                ("utime", lambda: os.utime(target, (0, 0))),
                ("chattr", lambda: fcntl.ioctl(os.open(target, os.O_RDONLY), 0x40086602, struct.pack("l", 0x10))),
            ):
                try:
                    action()
                    print("CHANGED", name, target)
                except OSError as err:
                    print("REFUSED", name, err.errno)
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    assert "CHANGED" not in err and err.count("[your code] REFUSED") == 8
    for p, stat in before.items():
        now = os.stat(p)
        assert (now.st_mode, now.st_uid, now.st_gid, now.st_mtime_ns) == (
            stat.st_mode, stat.st_uid, stat.st_gid, stat.st_mtime_ns)
    flags = subprocess.run(["lsattr", str(beside)], capture_output=True, text=True)
    assert flags.returncode != 0 or "i" not in flags.stdout.split()[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_nothing_outlives_verify_however_it_ends(tmp_path, sig):
    need_bwrap()
    marker = f"bps-{sig.name[3:7].lower()}-{os.getpid() % 10000}"
    path = user_file(tmp_path, f"""
        import os, time
        {name_self(marker)}
        if os.fork() == 0:
            os.setsid()
            {name_self(marker)}
            while True:
                time.sleep(1)
        class Net(Net):
            def forward(self, X):
                print("STARTED", flush=True)
                while True:
                    pass
    """)
    scratch = tmp_path / "tmp"  # the checker's temporary folder: a private folder on disk would be made here
    scratch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spec.cli", "verify", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "TMPDIR": str(scratch)},
    )
    try:
        assert proc.stderr.readline().startswith("  [your code] STARTED")
        assert len(running(marker)) == 2
        proc.send_signal(sig)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert_gone(marker)
    assert not list(scratch.iterdir())


def test_the_number_of_processes_is_limited(tmp_path):
    from spec.verify.sandbox import MAX_PROCESSES

    need_bwrap()
    marker = f"bps-fork-{os.getpid() % 10000}"
    path = user_file(tmp_path, f"""
        import os, time
        started = 0
        for _ in range(300):
            try:
                if os.fork() == 0:
                    {name_self(marker)}
                    time.sleep(300)
                    os._exit(0)
                started += 1
            except OSError:
                break
        print("STARTED", started, flush=True)
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    started = int(err.split("[your code] STARTED ")[1].split()[0])
    assert started < MAX_PROCESSES
    assert f"at most {MAX_PROCESSES} processes" in out
    assert_gone(marker)


def test_memory_is_limited_for_all_its_processes_together(tmp_path):
    need_bwrap()
    path = user_file(tmp_path, """
        import os, time
        import numpy as np
        children = []
        for k in range(3):
            pid = os.fork()
            if pid == 0:
                try:
                    block = np.ones(1_500_000_000 // 8)  # 1.5 GB, every page touched
                    time.sleep(4)  # held while the others allocate theirs
                    os._exit(0)
                except MemoryError:
                    os._exit(1)
            children.append(pid)
        codes = [os.waitpid(pid, 0)[1] for pid in children]
        print("HELD", sum(code == 0 for code in codes), flush=True)
    """)
    code, out, err = run(path, "--timeout", "100", guard=200)
    assert code == 0, out + err
    assert int(err.split("[your code] HELD ")[1].split()[0]) < 3
    assert "4 GiB of memory, all together" in out


def test_its_folder_cannot_fill_the_disk(tmp_path):
    need_bwrap()
    path = user_file(tmp_path, """
        import os, tempfile
        written = 0
        try:
            with open(os.path.join(tempfile.gettempdir(), "big"), "wb") as f:
                block = b"x" * 2**24
                while written < 2**30:
                    f.write(block)
                    f.flush()
                    written += len(block)
        except OSError as err:
            print("REFUSED", err.errno, written)
        print("WROTE", written, flush=True)
    """)
    started = time.monotonic()
    code, out, err = run(path)
    assert code == 0, out + err
    assert "[your code] REFUSED" in err
    assert int(err.split("[your code] WROTE ")[1].split()[0]) <= 256 * 2**20
    assert time.monotonic() - started < 30


def test_an_endless_line_of_output_does_not_grow_the_checker(tmp_path):
    # the checker (the Sandbox, reading the child's output) in a process of its own, to measure its memory
    path = tmp_path / "talker.py"
    path.write_text(textwrap.dedent("""
        import os
        chunk = b"y" * 65536
        for _ in range(16384):  # 1 GiB without a newline
            os.write(1, chunk)
        os.write(1, b"\\nshort line\\n")
    """))
    script = textwrap.dedent(f"""
        import io, resource
        from spec.verify.sandbox import Sandbox
        echo = io.StringIO()
        with Sandbox({str(path)!r}, timeout=100, echo=echo) as box:
            box.load("load")
            box.close()
        # VmHWM, the peak of this process's own memory (ru_maxrss would carry the pytest parent's
        # peak over the fork and exec: hundreds of MB in a full run)
        rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) // 1024
        print("RSS", rss, "LINES", box.output.lines, "LONGEST", max(map(len, echo.getvalue().splitlines())))
        print(echo.getvalue()[-200:])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    words = proc.stdout.split()
    rss, lines, longest = int(words[1]), int(words[3]), int(words[5])
    assert rss < 300, proc.stdout
    assert lines == 2 and longest <= 500 + len("  [your code] …")
    assert "[your code] short line" in proc.stdout and "y…" in proc.stdout


def test_an_answer_of_many_large_arrays_is_refused_before_it_fills_the_checker(tmp_path):
    """10 arrays of 30 MB, each under the per-array cap: refused once the answer passes MAX_ANSWER in all."""
    path = tmp_path / "hoarder.py"
    path.write_text(textwrap.dedent("""
        import numpy as np

        def big():
            return tuple(np.full(3_900_000, float(k)) for k in range(10))
    """))
    script = textwrap.dedent(f"""
        from spec.verify.sandbox import MAX_ANSWER, Misbehaved, Sandbox
        with Sandbox({str(path)!r}, timeout=100) as box:
            box.load("load")
            try:
                box.call(None, "big", [], [], "calling big()")
                print("ACCEPTED")
            except Misbehaved as err:
                print("REFUSED", err)
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) // 1024
        print("PEAK", peak, "CAP", MAX_ANSWER // 2**20)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "REFUSED" in proc.stdout and "bytes in all for one request" in proc.stdout, proc.stdout
    words = proc.stdout.split()
    peak, cap = int(words[words.index("PEAK") + 1]), int(words[words.index("CAP") + 1])
    assert peak < cap + 200, proc.stdout  # the answer's cap plus the interpreter and NumPy, not 300 MB


def test_without_bubblewrap_verify_still_works_and_says_what_is_missing(tmp_path):
    """No ``bwrap`` on the PATH (macOS, a container without it): the older confinement runs, and the
    report's confinement line says so, with what it measured (here: root's capabilities, the network)."""
    path = user_file(tmp_path, "")
    proc = subprocess.run(
        [sys.executable, "-m", "spec.cli", "verify", str(path)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, PATH=str(tmp_path / "no-bin")),
    )
    assert proc.returncode == 0 and proc.stdout.startswith("PASS: "), proc.stdout + proc.stderr
    confined = [line for line in proc.stdout.splitlines() if "confined:" in line]
    assert len(confined) == 1 and "confined: no bubblewrap: uid " in confined[0], confined
    # measured, not claimed: the line reports the uid and the capabilities the child really had
    assert ", capabilities " in confined[0] or ", no capabilities" in confined[0]
