"""Text from outside the grader — file names, what a submission raised, returned or declared — made safe to
write into the gradebook, feedback and results.json.

Such text may hold lone surrogates (an exception message; a file name that is not UTF-8, which Python keeps
as surrogates, PEP 383) that no UTF-8 file can take, control characters that split a CSV row or rewrite a
terminal line, bidirectional overrides that make a name read otherwise than it is, and any length. Each
becomes a visible escape, and text is cut to a bound that says it was cut.
"""
import re

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match):
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:   # a byte of a non-UTF-8 file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text, limit=None):
    """``text`` with what is unsafe escaped and, beyond ``limit`` characters, cut."""
    text = UNSAFE.sub(_escape, str(text))
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit} more characters cut)"
    return text
