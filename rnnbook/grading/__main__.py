"""Command line: ``python -m rnnbook.grading release``, ``... grade ...``, ``... autograder ...`` and ``... walls``."""
import argparse
import os
import sys

from . import autograder, grader, questions, release, sandbox, wallcheck


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnnbook.grading", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="regenerate labs/ from solutions/")
    rel.add_argument("--solutions", default=release.PROJECT / "solutions")
    rel.add_argument("--labs", default=release.PROJECT / "labs")
    grade = commands.add_parser("grade", help="grade every .ipynb under a folder")
    grade.add_argument("lab", choices=questions.LABS)
    grade.add_argument("submissions", help="folder searched recursively for .ipynb files")
    grade.add_argument("--out", required=True, help="folder for gradebook.csv, feedback/, results/ and report.html")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time")
    grade.add_argument("--regrade", action="store_true", help="grade again what the gradebook already has")
    gradescope = commands.add_parser("autograder", help="write the zip of a Gradescope autograder for a lab")
    gradescope.add_argument("lab", choices=questions.LABS)
    gradescope.add_argument("--out", required=True, help="folder for <lab>_autograder.zip")
    for command, memory_mb in ((grade, sandbox.Limits.memory_bytes // 2**20), (gradescope, autograder.MEMORY_MB)):
        # A command line is public (ps, /proc/PID/cmdline); a process's environment is not.
        command.add_argument("--seed", type=int, default=os.environ.get("RNNBOOK_GRADING_SEED"),
                             help="draws the hidden cases; keep it secret: better set RNNBOOK_GRADING_SEED, which, "
                                  "unlike the command line, other users cannot see")
        command.add_argument("--timeout", type=float, default=sandbox.Limits.wall_seconds,
                             help="wall-clock seconds per question and submission")
        command.add_argument("--memory-mb", type=int, default=memory_mb,
                             help="address-space limit of each sandboxed process")
    commands.add_parser("walls", help="check that each wall of the sandbox holds on this machine")
    args = parser.parse_args(argv)
    if args.command == "walls":
        return 1 if wallcheck.report(sys.stdout) else 0
    if args.command == "release":
        for path in release.release(args.solutions, args.labs):
            print(f"wrote {path}")
        return 0
    limits = sandbox.Limits(wall_seconds=args.timeout, memory_bytes=args.memory_mb * 2**20)
    if args.command == "autograder":
        # The zip carries the seed to Gradescope; seed 0 would make every hidden case public knowledge.
        if args.seed is None:
            parser.error("the autograder needs a seed: set RNNBOOK_GRADING_SEED (or pass --seed)")
        print(f"wrote {autograder.build(args.lab, args.out, args.seed, limits)}: it holds the seed, keep it private")
        return 0
    if args.seed is None:
        print("warning: no seed given (--seed or RNNBOOK_GRADING_SEED): the hidden cases are those of seed 0, "
              "which anyone with the course package can draw", file=sys.stderr)
        args.seed = 0
    grader.grade_folder(args.lab, args.submissions, args.out, seed=args.seed, jobs=max(1, args.jobs),
                        regrade=args.regrade, limits=limits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
