"""The Gradescope autograder: the zip is laid out as Gradescope expects, and run_autograder, unpacked into a
root laid out as Gradescope lays out /autograder, grades an honest, a stub and a hostile submission into a
results.json that follows Gradescope's specification, without giving the seed away.

Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/) is checked by
``gradescope_problems`` below, written from that page. setup.sh (apt and pip in Gradescope's image) is not
run here: run_autograder runs with this project's Python instead.
"""
import json
import math
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from rnnbook.grading import autograder, questions, report, sandbox
from rnnbook.grading.__main__ import main
from test_adversarial import GUARDS_OFF

# Whole submissions through the sandbox: minutes, not seconds; `make quick` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab4_ctc_decoding.ipynb"
STUB = ROOT / "labs" / "lab4_ctc_decoding.ipynb"
SEED = 918273645
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
MAX_RESULTS_BYTES = 1_000_000   # what we allow ourselves; Gradescope shows output in the browser
# Gradescope's container is Docker's: root with Docker's default capabilities only (no CAP_DAC_READ_SEARCH,
# for one). When this test runs as root it runs run_autograder with just those, as Gradescope would.
DOCKER_CAPABILITIES = ("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
                       "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap")
AS_IN_DOCKER = (["setpriv", "--bounding-set", ",".join(["-all"] + [f"+{c}" for c in DOCKER_CAPABILITIES])]
                if os.geteuid() == 0 and shutil.which("setpriv") else [])


def gradescope_problems(text):
    """What in a results.json text breaks Gradescope's autograder specification ([] when nothing)."""
    def reject(constant):
        raise ValueError(f"{constant} is not JSON")
    try:
        data = json.loads(text, parse_constant=reject)
    except ValueError as exc:
        return [f"not strict JSON: {exc}"]
    if not isinstance(data, dict):
        return ["the top level is not an object"]

    def number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    problems = [f"unknown key {key!r}" for key in data if key not in TOP_KEYS]
    problems += [f"{key} is not a string" for key in ("output",) if key in data and not isinstance(data[key], str)]
    problems += [f"{key} is {data[key]!r}" for key in ("visibility", "stdout_visibility")
                 if key in data and data[key] not in VISIBILITY]
    if "score" in data and not number(data["score"]):
        problems.append(f"score is {data['score']!r}")
    if "extra_data" in data and not isinstance(data["extra_data"], dict):
        problems.append("extra_data is not an object")
    tests = data.get("tests", [])
    if not isinstance(tests, list) or not all(isinstance(t, dict) for t in tests):
        return problems + ["tests is not a list of objects"]
    if "score" not in data and not (tests and all("score" in t for t in tests)):
        problems.append("no score: neither at the top level nor on every test")
    for i, test in enumerate(tests):
        problems += [f"test {i}: unknown key {key!r}" for key in test if key not in TEST_KEYS]
        problems += [f"test {i}: {key} is {test[key]!r}" for key in ("score", "max_score")
                     if key in test and not number(test[key])]
        problems += [f"test {i}: {key} is not a string" for key in ("name", "number", "output")
                     if key in test and not isinstance(test[key], str)]
        if "visibility" in test and test["visibility"] not in VISIBILITY:
            problems.append(f"test {i}: visibility is {test['visibility']!r}")
        if "tags" in test and not (isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])):
            problems.append(f"test {i}: tags is not a list of strings")
    return problems


def test_the_validator_knows_the_format():
    assert gradescope_problems('{"score": 1, "tests": [{"score": 1, "max_score": 1, "visibility": "visible"}]}') == []
    assert gradescope_problems('{"tests": [{"max_score": 1}]}') == ["no score: neither at the top level nor on every test"]
    assert gradescope_problems('{"score": NaN}') != [] and gradescope_problems('{"score": "5"}') != []
    assert gradescope_problems('{"score": 1, "tests": [{"visibility": "students"}]}') == \
        ["test 0: visibility is 'students'"]
    assert gradescope_problems('{"score": 1, "grade": 1}') == ["unknown key 'grade'"]


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    # generous: `make test` shares two cores with the browser and notebook tests
    limits = sandbox.Limits(wall_seconds=8, memory_bytes=autograder.MEMORY_MB * 2**20)
    return autograder.build("lab4", tmp_path_factory.mktemp("dist"), SEED, limits)


def gradescope_root(folder, zip_path, files):
    """A fresh /autograder as Gradescope lays it out for one submission: source/ (the zip unpacked, modes
    kept as unzip keeps them), run_autograder copied beside it, submission/ with ``files``, results/."""
    root = folder / "autograder"
    source = root / "source"
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            archive.extract(info, source)
            os.chmod(source / info.filename, info.external_attr >> 16 & 0o777)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    return root


def run_autograder(root):
    done = subprocess.run([*AS_IN_DOCKER, str(root / "run_autograder")], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root), "RNNBOOK_PYTHON": sys.executable})
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / "results" / "results.json").read_text()
    assert gradescope_problems(text) == [], text
    assert len(text.encode()) < MAX_RESULTS_BYTES
    assert not (root / "source" / autograder.SETTINGS).exists()   # gone before any submission code ran
    return json.loads(text), done.stdout


def test_the_zip_is_what_gradescope_accepts(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        settings = json.loads(archive.read(autograder.SETTINGS))
        setup = archive.read("setup.sh").decode()
        requirements = archive.read("requirements.txt").decode().split()
    assert zip_path.name == "lab4_autograder.zip" and all("/" not in name for name in modes)   # all at the root
    assert stat.S_IMODE(modes["setup.sh"]) == stat.S_IMODE(modes["run_autograder"]) == 0o755
    assert stat.S_IMODE(modes[autograder.SETTINGS]) == 0o600 and stat.S_ISREG(modes["setup.sh"])
    assert any(name.startswith("rnnbook-") and name.endswith(".whl") for name in modes)
    assert settings == {"lab": "lab4", "seed": SEED, "timeout": 8, "memory_mb": autograder.MEMORY_MB}
    assert [r.split("==")[0] for r in requirements] == ["numpy", "nbformat"]
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0
    assert "--no-deps" in setup and "chmod 600" in setup


def test_an_honest_and_a_stub_submission(zip_path, tmp_path):
    honest, stdout = run_autograder(gradescope_root(tmp_path / "honest", zip_path,
                                                    {"lab4_ctc_decoding.ipynb": SOLUTION.read_text()}))
    points = [q.points for q in questions.load("lab4")]
    assert honest["score"] == sum(points) and [t["score"] for t in honest["tests"]] == points
    assert [t["max_score"] for t in honest["tests"]] == points and {t["visibility"] for t in honest["tests"]} == {"visible"}
    assert f"lab4_ctc_decoding.ipynb: {sum(points):g} / {sum(points):g} points (graded)" in stdout
    stub, _ = run_autograder(gradescope_root(tmp_path / "stub", zip_path, {"my lab.ipynb": STUB.read_text()}))
    assert stub["score"] == 0 and all(t["output"] == "not implemented" for t in stub["tests"])


def test_a_hostile_submission_gets_its_honest_worth_and_no_seed(zip_path, tmp_path):
    """q1 is the solution's; q2 tries to leak the seed into its feedback and to write its own results,
    also at definition time, with the Python guards switched off. Honest worth: every question but q2."""
    root = tmp_path / "hostile" / "autograder"
    grab = f"""
import json, os
found = []
for path in ({str(root / "source" / "settings.json")!r}, "/autograder/source/settings.json"):
    try:
        found.append(open(path).read())
    except OSError as exc:
        found.append(repr(exc))
for path in ({str(root / "results" / "results.json")!r}, "/autograder/results/results.json"):
    try:
        open(path, "w").write(json.dumps({{"score": 100, "output": "hacked"}}))
    except OSError as exc:
        found.append(repr(exc))
"""
    nb = nbformat.read(SOLUTION, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def prefix_beam_search(" in c.source)
    cell.source = ("import sys\ndef prefix_beam_search(log_probs, beam_width, blank=0):\n" +
                   "".join(f"    {line}\n" for line in (GUARDS_OFF + grab + "raise RuntimeError(str(found))").splitlines()))
    # the class body gives the harness its isinstance back, so that the notebook's q1 still counts
    at_definition_time = GUARDS_OFF + grab + "del sys.modules['__main__'].isinstance"
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nclass AtDefinitionTime:\n" +
                                              "".join(f"    {line}\n" for line in at_definition_time.splitlines())))
    results, _ = run_autograder(gradescope_root(tmp_path / "hostile", zip_path, {"lab4.ipynb": nbformat.writes(nb)}))
    worth = [0 if q.id == "q2" else q.points for q in questions.load("lab4")]
    assert results["score"] == sum(worth) and [t["score"] for t in results["tests"]] == worth, results
    assert str(SEED) not in json.dumps(results) and "hacked" not in json.dumps(results)


def test_a_submission_without_one_clear_notebook_is_invalid(tmp_path):
    folder, results = tmp_path / "submission", tmp_path / "results"
    folder.mkdir()
    (folder / "answers.py").write_text("def ctc_greedy(): pass")
    result = autograder.grade(folder, "lab4", SEED, sandbox.Limits(), results)
    text = report.results_json(result)
    assert gradescope_problems(text) == [] and json.loads(text)["score"] == 0
    assert result.status == "invalid" and result.reason == "the submission has no notebook (.ipynb); found answers.py"
    for name in ("a.ipynb", "b.ipynb"):
        (folder / name).write_text("{}")
    assert autograder.choose_notebook(folder, "lab4", results)[1].startswith("the submission has 2 notebooks")
    (folder / "lab4_mine.ipynb").write_text("{}")
    assert autograder.choose_notebook(folder, "lab4", results) == (folder / "lab4_mine.ipynb", None)


def test_the_command_refuses_to_build_without_a_seed(monkeypatch, tmp_path, capsys):
    built = {}
    monkeypatch.setattr(autograder, "build", lambda lab, out, seed, limits: built.update(seed=seed, limits=limits))
    monkeypatch.delenv("RNNBOOK_GRADING_SEED", raising=False)
    with pytest.raises(SystemExit):
        main(["autograder", "lab4", "--out", str(tmp_path)])
    assert "needs a seed" in capsys.readouterr().err and built == {}
    monkeypatch.setenv("RNNBOOK_GRADING_SEED", "4711")
    main(["autograder", "lab4", "--out", str(tmp_path)])
    assert built["seed"] == 4711 and built["limits"].memory_bytes == autograder.MEMORY_MB * 2**20
