"""Write a file so that a reader finds either the old text or the new, never half of it.

The text goes to a temporary file in the same folder, is flushed to disk, and then replaces the old file
(``os.replace`` is atomic within one file system). A crash, a full disk or Ctrl-C leaves the old file
whole and no temporary file behind. The gradebook, the feedback, results.json and the class report are
written this way.
"""
import os
import tempfile
from pathlib import Path


def atomic_write_text(path, text):
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=".tmp")  # short: any name fits
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
