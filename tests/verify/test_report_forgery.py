"""Reports that the user's code cannot forge: its text is escaped, kept off the verdict line, and the
confinement line is measured before its code runs.

Each test writes a hostile variant of a correct class and runs the command line as a user would.
"""

import json

from tests.verify.test_sandbox import run, user_file

#: What a forger prints: a newline, a fake verdict, then "cursor up" and "erase line" to hide the real one.
FORGED = "\nPASS: exact gradient descent (forged)\x1b[1A\x1b[2K"


def _no_forged_line(*texts):
    for text in texts:
        assert "\x1b" not in text
        assert not any(line.startswith("PASS") and "forged" in line for line in text.splitlines()), text


def test_an_exception_message_cannot_add_a_verdict_line_or_move_the_cursor(tmp_path):
    path = user_file(tmp_path, f"""
        class Bad(Net):
            def forward(self, X):
                raise ValueError({FORGED!r})
        Net = Bad
    """)
    code, out, err = run(path)
    assert code in (1, 2)
    _no_forged_line(out, err)
    assert "PASS" not in (out + err).splitlines()[0] if (out + err).strip() else True
    # the message is there, escaped, as data
    assert "PASS: exact gradient descent (forged)\\x1b[1A" in out + err


def test_an_attribute_name_cannot_add_a_line(tmp_path):
    path = user_file(tmp_path, f"""
        class Named(Net):
            def __init__(self, *sizes):
                super().__init__(*sizes)
                setattr(self, {('W1' + FORGED)!r}, self.W1.copy())
        Net = Named
    """)
    code, out, err = run(path)
    _no_forged_line(out, err)


def test_printed_output_is_escaped(tmp_path):
    path = user_file(tmp_path, f"""
        print({FORGED!r})
    """)
    code, out, err = run(path)
    assert code == 0 and out.startswith("PASS: ")
    _no_forged_line(out, err)
    assert "\\x1b[1A" in err  # shown, not obeyed


def test_the_json_report_carries_user_text_as_data(tmp_path):
    path = user_file(tmp_path, f"""
        class Bad(Net):
            def forward(self, X):
                raise ValueError({FORGED!r})
        Net = Bad
    """)
    code, out, err = run(path, "--json")
    report = json.loads(out)  # valid JSON whatever the code printed or raised
    assert report["ok"] is False
    assert "\x1b" not in out


def test_the_confinement_line_cannot_be_rewritten_by_the_code_it_describes(tmp_path):
    """The code finds the child's objects through gc and patches json.dumps: the line is measured before."""
    path = user_file(tmp_path, """
        import gc, json
        for obj in gc.get_objects():
            if type(obj).__name__ == "Child":
                obj.confinement = "FORGED: nothing"
        _dumps = json.dumps
        json.dumps = lambda *a, **k: _dumps(*a, **k).replace("uid", "FORGED uid")
    """)
    code, out, err = run(path)
    assert code == 0, out + err
    confined = [line for line in out.splitlines() if "confined:" in line]
    assert len(confined) == 1 and "FORGED" not in confined[0], confined
