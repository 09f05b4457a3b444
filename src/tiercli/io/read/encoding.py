"""Which text encoding a CSV is in: BOMs, UTF-16 without BOM, UTF-8, then what Chinese (GB18030, GBK,
GB2312) and Western (cp1252) Excel/WPS save, judged on the file's non-ASCII lines; when the head of a large
file does not settle it, the whole file is looked at (``judge_file``)."""

from __future__ import annotations

import codecs
import collections
import re
from pathlib import Path

from ...errors import InputError
from ...i18n import _
from ..limits import open_bytes

SAMPLE_BYTES = 1 << 20  # the head of a file its encoding is judged on first


def detect_encoding(sample: bytes, *, complete: bool = True) -> str:
    """Best encoding for a sample: BOMs first, then UTF-8, then what Chinese or Western Excel saves.

    ``complete=False``: the sample is the head of a longer file, so its last line may end inside a
    character; that line is left out of the judgement (a cut never decides)."""
    encoding, _complete = _guess(sample, complete=complete)
    if encoding is None:
        raise InputError(
            _("cannot tell the file's text encoding."),
            hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again."),
        )
    return encoding


# The code pages a seller's export comes in when it is not UTF-8 (what Chinese and Western Excel/WPS save,
# then the neighbours).  GBK and GB2312 are subsets of GB18030, cp1252 a superset of Latin-1 for text.
_CANDIDATES = ["gb18030", "cp1252", "big5", "shift_jis", "cp1251", "latin_1"]
_FAMILY = {"gbk": "gb18030", "gb2312": "gb18030", "latin_1": "cp1252", "iso8859_1": "cp1252"}
_SURE_BYTES = 256  # non-ASCII bytes that settle a judgement no rival encoding shares
_EVIDENCE_BYTES = 1 << 18  # the most of a file's non-ASCII lines judged
_HIGH = re.compile(rb"[\x80-\xff]")
_EOL = re.compile(rb"[\r\n]")


def _guess(sample: bytes, *, complete: bool) -> tuple[str | None, bool]:
    """(encoding or None, sure): sure when the sample settles it, so the rest of the file need not be
    looked at; unsure when its non-ASCII text is scarce or another code page reads it as well."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    # UTF-16 without BOM: ASCII text leaves every other byte zero
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le", True
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be", True
    try:
        # an incomplete multi-byte character at the end of a sample is the cut, not the text
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        # sure: valid multi-byte UTF-8 is unmistakable, and an all-ASCII head is checked by the full read,
        # which decodes strictly (a later byte that is not UTF-8 sends the file back to judge_file)
        return "utf-8", True
    except UnicodeDecodeError:
        pass
    return _judge(_evidence(sample if complete else _whole_lines(sample), _EVIDENCE_BYTES))


def _whole_lines(sample: bytes) -> bytes:
    """A file's head without its last, possibly cut, line: GB18030/GBK, Big5, Shift_JIS, UTF-8 and the
    single-byte code pages use CR and LF only as characters of their own, so nothing before them is cut.
    Without a line break, up to its last byte below '0' (a comma, a space: equally whole)."""
    end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
    if end < 0:
        low = re.search(rb"[\x00-\x2f][^\x00-\x2f]*\Z", sample)
        end = low.start() if low else len(sample) - 1
    return sample[: end + 1]


def _evidence(data: bytes, limit: int) -> bytes:
    """The lines of ``data`` that hold a non-ASCII byte (at most ``limit`` bytes of them), one per line:
    what tells code pages apart, without the ASCII that every one of them reads alike."""
    out, size, pos = [], 0, 0
    while size < limit:
        hit = _HIGH.search(data, pos)
        if hit is None:
            break
        i = hit.start()
        start = max(data.rfind(b"\n", pos, i), data.rfind(b"\r", pos, i)) + 1
        eol = _EOL.search(data, i)
        end = eol.start() if eol else len(data)
        out.append(data[start:end])
        size += end - start + 1
        pos = end
    return b"\n".join(out)


def _judge(evidence: bytes) -> tuple[str | None, bool]:
    """The encoding of text whose lines all hold non-ASCII bytes: accented Latin words (``_latin``) or
    everyday Chinese (``_chinese``), else charset_normalizer's pick among the usual code pages.  Sure when
    there is enough of it and, for charset_normalizer's pick, no code page of another family reads it as well."""
    if not evidence:
        return None, False
    high = len(evidence) - len(evidence.translate(None, bytes(range(128))))
    latin = _latin(evidence)
    if latin is not None:
        return latin, high >= _SURE_BYTES
    if _chinese(evidence):
        return "gb18030", high >= _SURE_BYTES
    from charset_normalizer import from_bytes

    results = from_bytes(evidence, steps=16, cp_isolation=_CANDIDATES)
    best = results.best()
    if best is None:
        return None, False
    family = _FAMILY.get(best.encoding, best.encoding)
    rivals = {_FAMILY.get(m.encoding, m.encoding) for m in results} - {family}
    # GBK and GB2312 are read with their superset
    encoding = "gb18030" if family == "gb18030" else best.encoding.replace("_", "-")
    return encoding, high >= _SURE_BYTES and not rivals


_IN_LATIN_WORD = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")


def _chinese(evidence: bytes) -> bool:
    """Whether the text reads as everyday Chinese in GB18030: it decodes, and at least 80% of its non-ASCII
    characters are GB2312's common hanzi (level 1, the 3,755 that make up nearly all modern text) or its
    punctuation.  charset_normalizer reads a few product names repeated a thousand times (蓝牙耳机 黑色) as
    Ukrainian; Cyrillic, Big5 or Shift_JIS bytes read as GB18030 are mostly rare characters, if they decode."""
    try:
        text = evidence.decode("gb18030")
    except UnicodeDecodeError:
        return False
    counts = collections.Counter(c for c in text if c > "\x7f")
    common = 0
    for c, n in counts.items():
        try:
            lead = c.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += n if 0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA9 else 0
    return bool(counts) and common >= 0.8 * sum(counts.values())


def _latin(evidence: bytes) -> str | None:
    """cp1252 (else Latin-1) when the text reads as accented Latin words in it: its non-ASCII characters
    are letters, nearly all beside an ASCII letter (Zoë, Côté, Müller).  charset_normalizer reads a list of
    such names as Russian (Zoл, Cфtй) or Chinese (M黮ler) when the accents are few and far between; real
    Cyrillic or Chinese text decoded this way is letters beside letters and symbols, never inside ASCII words."""
    for encoding in ("cp1252", "latin-1"):
        try:
            text = evidence.decode(encoding)
        except UnicodeDecodeError:
            continue
        high = [c for c in text if c > "\x7f"]
        if not high or sum(c.isalpha() for c in high) < 0.9 * len(high):
            return None
        return encoding if len(_IN_LATIN_WORD.findall(text)) >= 0.8 * len(high) else None
    return None


def judge_file(path: Path, limit: int = _EVIDENCE_BYTES) -> str | None:
    """The encoding judged on the non-ASCII lines of the whole file, streamed (at most ``limit`` bytes of
    them are kept): when its head could not settle it, or a later part of the file contradicts it."""
    chunks, size, rest = [], 0, b""
    with open_bytes(path) as fh:
        while size < limit:
            block = fh.read(1 << 22)
            data = rest + block
            if block:  # whole lines only: the cut line goes with the next block
                end = max(data.rfind(b"\n"), data.rfind(b"\r"))
                data, rest = (data[: end + 1], data[end + 1:]) if end >= 0 else (b"", data)
            if not data.isascii():
                found = _evidence(data, limit - size)
                chunks.append(found)
                size += len(found) + 1
            if not block:
                break
    evidence = b"\n".join(chunks)
    try:
        evidence.decode("utf-8")
        return "utf-8"  # all ASCII, or UTF-8 throughout
    except UnicodeDecodeError:
        return _judge(evidence)[0]


def head_sample(path: Path) -> bytes:
    """The head of a file (``SAMPLE_BYTES``, unpacked if it is gzip) that its encoding is judged on first."""
    with open_bytes(path) as fh:
        return fh.read(SAMPLE_BYTES)


def detect_encoding_of(path: Path, sample: bytes) -> str:
    """The encoding of a file from its head ``sample``; when the head is only part of the file and does
    not settle it (little non-ASCII text, or two code pages read it alike), confirmed on the non-ASCII
    lines of the whole file.  The error names the file (the one line the user sees)."""
    complete = len(sample) < SAMPLE_BYTES
    encoding, sure = _guess(sample, complete=complete)
    if not sure and not complete:
        encoding = judge_file(path) or encoding
    if encoding is None:
        raise no_encoding(path)
    return encoding


def judge_whole_file(path: Path) -> str:
    """The encoding judged on the whole file, when a later part of it did not decode as its head said (the
    error names the file when nothing reads it)."""
    encoding = judge_file(path)
    if encoding is None:
        raise no_encoding(path) from None
    return encoding


def no_encoding(path: Path) -> InputError:
    return InputError(_("{path}: cannot tell the file's text encoding.").format(path=path),
                      hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again."))


def read_text_sample(path: Path) -> str:
    """First kilobytes of a text file, decoded, for error messages."""
    with open_bytes(path) as fh:
        sample = fh.read(4096)
    encoding, _complete = _guess(sample, complete=len(sample) < 4096)
    return sample.decode(encoding or "utf-8", errors="replace")
