"""The grading package: release, self-check, comparison, gradebook, and that every lab's solution scores
100% while its released stub scores 0 with "not implemented" feedback."""
import ast
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnnbook.grading import check, grader, questions, release, sandbox
from rnnbook.grading.atomicwrite import atomic_write_text
from rnnbook.grading.compare import compare
from rnnbook.grading.extract import InvalidSubmission, extract
from rnnbook.grading.plaindata import encode
from rnnbook.grading.selfcheck import run_public

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("lab*.ipynb"))
FAST = sandbox.Limits(wall_seconds=20)
FULL_LAB4 = sum(q.points for q in questions.load("lab4"))


def lab_id(path):
    return path.name.split("_")[0]


def test_labs_are_released_from_the_current_solutions(tmp_path):
    written = release.release(ROOT / "solutions", tmp_path)
    assert [p.name for p in written] == [p.name for p in SOLUTIONS] and len(written) == 5
    for path in written:
        assert path.read_bytes() == (ROOT / "labs" / path.name).read_bytes(), \
            f"labs/{path.name} is out of date: run `python -m rnnbook.grading release`"


def test_release_is_deterministic_and_strips_outputs(tmp_path):
    nb = nbformat.read(SOLUTIONS[0], as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="noise")]
    nb.cells[1].execution_count = 7
    once = nbformat.writes(release.student_version(nb))
    assert once == nbformat.writes(release.student_version(nbformat.reads(nbformat.writes(nb), as_version=4)))
    student = nbformat.reads(once, as_version=4)
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in once and "raise NotImplementedError" in once


def test_strip_solutions_replaces_regions_at_their_indentation():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert release.strip_solutions(source) == \
        "def f(x):\n    y = 1\n    # your code here\n    raise NotImplementedError"
    for broken in ("### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION", "### BEGIN SOLUTION\n### BEGIN SOLUTION"):
        with pytest.raises(ValueError, match="SOLUTION"):
            release.strip_solutions(broken)


def test_extract_keeps_only_imports_functions_and_classes():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nfrom rnnbook.grading import check\nprint('top level')\nimport os; os._exit(1)\n"
        "%matplotlib inline\nclass A:\n    pass\ndef f():\n    !ls\n    return 1\nwhile True:\n    pass"),
        nbformat.v4.new_code_cell("def broken(:\n"), nbformat.v4.new_markdown_cell("def g(): pass")])
    extracted = extract(nb)
    assert extracted.code.splitlines() == ["import numpy as np", "import os", "class A:", "    pass",
                                           "def f():", "    pass", "    return 1"]
    assert any("cell 2 is not valid Python" in note for note in extracted.notes)
    with pytest.raises(InvalidSubmission, match="no functions"):
        extract(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nx = 1")]))


def test_extract_reads_notebooks_in_parallel_threads(monkeypatch):
    """The grader extracts submissions in a thread pool. CPython 3.11's syntax-tree builder keeps its
    recursion depth per interpreter, so two threads parsing at once could fail with "AST constructor
    recursion depth mismatch" (cpython#106905): it happened to an honest lab 5 in `make test`. A garbage
    collection that sleeps makes the two threads meet inside the parser every time."""
    import gc
    import threading
    import time
    nb = nbformat.read(SOLUTIONS[-1], as_version=4)
    errors = []

    def deep(levels, call):     # threads at different Python stack depths, as a pool's workers are
        return call() if levels == 0 else deep(levels - 1, call)

    def work(levels):
        for _ in range(10):
            try:
                deep(levels, lambda: extract(nb))
            except SystemError as exc:
                errors.append(exc)
                return

    threshold = gc.get_threshold()

    def pause(phase, info):
        time.sleep(0.0001)          # lets the other thread run while this one is inside ast.parse

    gc.set_threshold(50)
    gc.callbacks.append(pause)
    try:
        threads = [threading.Thread(target=work, args=(levels,)) for levels in (3, 40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.callbacks.remove(pause)
        gc.set_threshold(*threshold)
    assert not errors, errors[0]


def test_compare_names_the_difference():
    expected = np.arange(6.0).reshape(2, 3)
    assert compare(expected, expected + 1e-12) is None
    assert "expected shape (2, 3), got shape (3, 2)" in compare(expected, expected.T)
    message = compare(expected, expected + np.array([[0, 0, 0], [0, 0.5, 0]]))
    assert "1 of 6 entries differ" in message and "index (1, 1)" in message and "max abs error 0.5" in message
    assert "dtype float32" in compare(expected, (expected + 1).astype(np.float32))
    assert "got shape (2,) (your array has dtype int64)" in compare(expected, np.array([1, 2]))
    assert compare([1, 2, 3], np.array([1, 2, 3])) is None
    assert "expected 3 items" in compare([1, 2, 3], [1, 2])
    assert "keys" in compare({"a": expected}, {"b": expected})
    assert compare(float("inf"), float("inf")) is None
    assert "expected the number" in compare(1.5, "1.5")


def test_encode_refuses_objects_that_are_not_plain_data():
    class AlwaysEqual:
        def __eq__(self, other):
            return True
    with pytest.raises(TypeError, match="type AlwaysEqual, which is not plain data"):
        encode(AlwaysEqual())
    with pytest.raises(TypeError, match="not numbers"):
        encode(np.array(["a"]))


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lab_id)
def test_self_check_passes_the_solution_and_explains_a_wrong_answer(solution, capsys):
    lab = lab_id(solution)
    namespace = {}
    exec(extract(nbformat.read(solution, as_version=4)).code, namespace)
    for q in questions.load(lab):
        passed, total, messages = run_public(lab, q.id, namespace[q.function])
        assert (passed, total, messages) == (total, len(q.public), [])
    q = questions.load(lab)[-1]
    wrong = {q.function: lambda *args, **kwargs: np.zeros((2, 2))}
    check(lab, q.id, wrong)
    printed = capsys.readouterr().out
    assert f"0 of {len(q.public)} public cases pass" in printed and "hidden" not in printed
    assert "expected" in printed and "got" in printed


def test_self_check_reports_exceptions_and_missing_functions(capsys):
    def broken(log_probs, target, blank=0):
        raise KeyError("oops")
    check("lab3", "q2", {"ctc_forward": broken})
    check("lab3", "q2", {})
    printed = capsys.readouterr().out
    assert "raised KeyError: 'oops'" in printed and "define a function named ctc_forward" in printed


def test_hidden_cases_depend_on_the_seed_only():
    q = questions.question("lab3", "q2")
    first, again, other = (q.hidden_cases("lab3", seed) for seed in (1, 1, 2))
    assert all(np.array_equal(a.inputs["log_probs"], b.inputs["log_probs"]) for a, b in zip(first, again))
    assert not all(a.inputs["log_probs"].shape == b.inputs["log_probs"].shape
                   and np.allclose(a.inputs["log_probs"], b.inputs["log_probs"])
                   for a, b in zip(first, other))


def test_solutions_score_full_marks_and_stubs_zero_with_not_implemented(tmp_path):
    rows = {}
    for solution in SOLUTIONS:
        lab = lab_id(solution)
        subs = tmp_path / lab
        subs.mkdir()
        (subs / "solution.ipynb").write_bytes(solution.read_bytes())
        (subs / "stub.ipynb").write_bytes((ROOT / "labs" / solution.name).read_bytes())
        rows[lab] = grader.grade_folder(lab, subs, tmp_path / f"{lab}-out", jobs=2, limits=FAST,
                                        stream=open(os.devnull, "w"))
        feedback = (tmp_path / f"{lab}-out" / "feedback" / "stub.txt").read_text()
        assert feedback.count("not implemented") >= len(questions.load(lab)), feedback
    for lab, book in rows.items():
        solution, stub = book["solution.ipynb"], book["stub.ipynb"]
        assert solution["status"] == "graded" and solution["reason"] == "", \
            f"{lab} solution: {solution['status']}: {solution['reason']}"
        assert float(solution["total"]) == float(solution["max"]) > 0, solution
        assert float(stub["total"]) == 0 and stub["reason"].count("not implemented") == len(questions.load(lab))


def test_gradebook_keeps_rows_skips_graded_and_regrades_on_request(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "a.ipynb").write_bytes((ROOT / "labs" / "lab4_ctc_decoding.ipynb").read_bytes())
    quiet = open(os.devnull, "w")
    grader.grade_folder("lab4", subs, out, limits=FAST, stream=quiet)
    (subs / "b.ipynb").write_bytes((ROOT / "solutions" / "lab4_ctc_decoding.ipynb").read_bytes())
    calls = []
    original = grader.grade_submission

    def counting(path, name, *args):
        calls.append(name)
        return original(path, name, *args)

    grader.grade_submission = counting
    try:
        rows = grader.grade_folder("lab4", subs, out, limits=FAST, stream=quiet)
        assert calls == ["b.ipynb"] and sorted(rows) == ["a.ipynb", "b.ipynb"]
        grader.grade_folder("lab4", subs, out, regrade=True, limits=FAST, stream=quiet)
        assert sorted(calls) == ["a.ipynb", "b.ipynb", "b.ipynb"]
    finally:
        grader.grade_submission = original
    with open(out / "gradebook.csv", newline="") as f:
        table = list(csv.DictReader(f))
    points = [q.points for q in questions.load("lab4")]
    assert [(r["submission"], r["total"]) for r in table] == [("a.ipynb", "0"), ("b.ipynb", f"{sum(points):g}")]
    results = json.loads((out / "results" / "b.json").read_text())
    assert results["score"] == sum(points) and [t["score"] for t in results["tests"]] == points


def test_every_submission_gets_its_own_reports_whatever_its_path(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    (subs / "alice").mkdir(parents=True)
    (subs / "alice" / "lab4.ipynb").write_bytes((ROOT / "solutions" / "lab4_ctc_decoding.ipynb").read_bytes())
    (subs / "alice__lab4.ipynb").write_bytes((ROOT / "labs" / "lab4_ctc_decoding.ipynb").read_bytes())
    grader.grade_folder("lab4", subs, out, jobs=2, limits=FAST, stream=open(os.devnull, "w"))
    full = sum(q.points for q in questions.load("lab4"))
    assert json.loads((out / "results" / "alice" / "lab4.json").read_text())["score"] == full
    assert json.loads((out / "results" / "alice__lab4.json").read_text())["score"] == 0
    assert f"{full:g} / {full:g} points" in (out / "feedback" / "alice" / "lab4.txt").read_text()
    assert f"0 / {full:g} points" in (out / "feedback" / "alice__lab4.txt").read_text()


def test_a_failed_write_leaves_the_old_gradebook_whole(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.csv"
    atomic_write_text(path, "old,complete\n")

    def crash(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new,but,interrupted\n")
    assert path.read_text() == "old,complete\n" and [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


def test_command_line_release_and_grade(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.ipynb").write_bytes((ROOT / "solutions" / "lab4_ctc_decoding.ipynb").read_bytes())
    done = subprocess.run([sys.executable, "-m", "rnnbook.grading", "grade", "lab4", str(subs), "--out",
                           str(tmp_path / "out"), "--seed", "7", "--jobs", "2", "--timeout", "20"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1/1 alice.ipynb" in done.stderr and f"mean total {FULL_LAB4:.2f} / {FULL_LAB4:g}" in done.stderr
    done = subprocess.run([sys.executable, "-m", "rnnbook.grading", "release", "--labs", str(tmp_path / "labs")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(list((tmp_path / "labs").glob("lab*.ipynb"))) == 5


def test_the_seed_can_stay_off_the_command_line(monkeypatch, capsys):
    """Any user on the machine can read a command line (ps, /proc/PID/cmdline), not another's environment."""
    from rnnbook.grading.__main__ import main
    seen = {}
    monkeypatch.setattr(grader, "grade_folder", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("RNNBOOK_GRADING_SEED", "4711")
    main(["grade", "lab4", "subs", "--out", "out"])
    assert seen["seed"] == 4711
    main(["grade", "lab4", "subs", "--out", "out", "--seed", "5"])
    assert seen["seed"] == 5
    monkeypatch.delenv("RNNBOOK_GRADING_SEED")
    main(["grade", "lab4", "subs", "--out", "out"])
    assert seen["seed"] == 0 and "warning: no seed given" in capsys.readouterr().err


@pytest.mark.parametrize("lab", questions.LABS)
def test_every_case_names_its_inputs_and_what_it_probes(lab):
    for q in questions.load(lab):
        parameters = ast.parse(f"def {q.signature}: pass").body[0].args
        names = [a.arg for a in parameters.args]
        required = names[:len(names) - len(parameters.defaults)]
        for case in list(q.public) + q.hidden_cases(lab, 0):
            assert set(required) <= set(case.inputs) <= set(names), (q.id, case.name, sorted(case.inputs))
            assert case.probes, (q.id, case.name)


def test_the_language_model_question_is_graded_against_the_library_search_with_its_ngram():
    """Lab 4 q3 hands the student a bigram as a table (no object crosses into the sandbox); the reference
    runs rnnbook.decode.prefix_beam_search on that table, which must be the n-gram itself."""
    from rnnbook import decode
    from rnnbook.grading.questions import lab4
    from rnnbook.lm import NGram
    lm = NGram(order=2, num_labels=4, k=0.5, blank=0).fit([[1, 2, 3], [2, 3], [3, 1, 1]])
    log_probs = questions.random_log_probs(np.random.default_rng(0), 7, 4)
    for weight, bonus in ((0.0, 0.0), (0.7, 0.3), (2.0, -1.0)):
        assert lab4.prefix_beam_search_lm(log_probs, 5, lab4.bigram_table(lm), weight, bonus) == \
            decode.prefix_beam_search(log_probs, 5, lm=lm, lm_weight=weight, insertion_bonus=bonus)
