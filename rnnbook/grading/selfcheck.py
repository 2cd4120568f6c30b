"""The student's self-check: run a question's PUBLIC cases on their function and say what is right.

It runs in the student's own notebook (their own process, so no sandbox is needed) and never touches the
hidden cases. Usage inside a lab:

    from rnnbook.grading import check
    check("lab3", "q2", globals())
"""
import copy

from . import questions
from .plaindata import decode, encode
from .compare import compare


def run_public(lab, question_id, function):
    """Return (passed, total, messages) for ``function`` on the public cases of the question."""
    q = questions.question(lab, question_id)
    cases = q.public
    messages = []
    for case in cases:
        # cases are shared module data: neither the reference nor the student may change them
        expected = decode(encode(q.call(q.reference, copy.deepcopy(case))))
        try:
            answer = q.call(function, copy.deepcopy(case))
        except NotImplementedError:
            messages.append(f"case {case.name}: not implemented yet")
            continue
        except Exception as exc:
            messages.append(f"case {case.name}: raised {type(exc).__name__}: {exc}")
            continue
        try:
            got = decode(encode(answer))
        except TypeError as exc:
            messages.append(f"case {case.name}: returned {exc}")
            continue
        message = compare(expected, got, q.rtol, q.atol)
        if message:
            messages.append(f"case {case.name}: {message}")
    return len(cases) - len(messages), len(cases), messages


def check(lab, question_id, namespace):
    """Print, in plain words, how the function of ``question_id`` does on the public cases."""
    q = questions.question(lab, question_id)
    function = namespace.get(q.function)
    if not callable(function):
        print(f"{lab} {q.id} ({q.title}): define a function named {q.function} first.")
        return
    passed, total, messages = run_public(lab, question_id, function)
    verdict = "all public cases pass" if passed == total else f"{passed} of {total} public cases pass"
    if all(message.endswith("not implemented yet") for message in messages) and passed == 0:
        verdict, messages = "not implemented yet", []
    print(f"{lab} {q.id} {q.title} [{questions.points_text(q.points)}]: {verdict}.")
    for message in messages:
        print(f"  {message}")
