"""What one input file may ask of the machine (``Limits``, the ``limits.*`` settings), and the checks that
need no XML: gzip bombs, the bytes of a workbook, a legacy .xls opened in a memory-capped child process.
Also opening a file that may be gzip (``gzip_open``, ``open_bytes``), which every reader does.
The workbook guard (``guard.py``) bounds an .xlsx/.ods part by part on top of these."""

from __future__ import annotations

import gzip
import importlib.util
import os
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import ConfigError, InputError
from ..i18n import _

try:  # ISA-L inflates the same bytes two to three times faster than zlib; zlib where it has no wheel
    from isal import igzip as _fast_gzip
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover
    _fast_zlib, _fast_gzip = zlib, gzip
INFLATE_ERRORS = (zlib.error, _fast_zlib.error)

GRACE_BYTES = 1 << 20  # parts under this size are never called bombs, whatever their ratio
CHUNK_IN, CHUNK_OUT = 1 << 18, 1 << 20
TEXT_GRACE = 64 << 20  # cells may always copy this much shared-string text


def gzip_open(path: Path):
    """A .gz file opened for reading (ISA-L's reader when installed)."""
    return _fast_gzip.open(path, "rb")


def open_bytes(path: Path):
    """A file opened for reading its bytes: unpacked as it is read when it is gzip (by its first bytes, never its name)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip_open(path) if magic == b"\x1f\x8b" else open(path, "rb")


def openpyxl_defused() -> bool:
    """Whether openpyxl parses XML through defusedxml whenever anything imports it.

    openpyxl switches to defusedxml by itself when the package is installed and
    ``OPENPYXL_DEFUSEDXML`` is not "False"; this mirrors that rule without importing
    openpyxl (a tenth of a second).  tiercli reads workbooks with calamine, which
    never expands entities, but openpyxl reads them back in tests and tools.
    """
    return importlib.util.find_spec("defusedxml") is not None and \
        os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"


if not openpyxl_defused():  # asserted at start: XML from strangers is never parsed undefended
    raise ImportError("tiercli needs defusedxml in force for openpyxl: install defusedxml and unset "
                      "OPENPYXL_DEFUSEDXML.")


@dataclass(frozen=True)
class Limits:
    """What one input file may ask of the machine (the ``limits.*`` settings).

    The defaults let through the largest genuine exports (a full Excel sheet, the
    541,909-line UCI file) and refuse the crafted ones: a zip that inflates a
    thousand times, a sheet that claims a cell in column XFD of row 1,048,576, one
    long shared string repeated in a million cells.
    """

    max_uncompressed_mb: float = 1024.0  # bytes a file may unpack to (CSV: its size), and text its cells may hold
    max_ratio: float = 100.0  # unpacked / packed size of one zip part (parts under 1 MB are exempt)
    max_members: int = 2000  # parts in one workbook zip
    max_rows: int = 2_000_000  # rows of one table (sheets that share a header count together)
    max_columns: int = 2000  # columns of one sheet or CSV
    max_cells: int = 30_000_000  # rows x columns of one sheet as the reader lays it out

    @classmethod
    def from_config(cls, config) -> "Limits":
        """The ``limits.*`` settings of a Config (anything with ``section``), checked to be positive."""
        values = config.section("limits") if config is not None else {}
        kwargs = {f.name: values[f.name] for f in fields(cls) if f.name in values}
        for name, value in kwargs.items():
            if not value > 0:
                raise ConfigError(_("limits.{name} = {value} must be above 0.").format(name=name, value=repr(value)),
                                  hint=_("Fix it in tiercli.toml or the TIERCLI_LIMITS_* variable."))
        return cls(**kwargs)

    @property
    def max_bytes(self) -> int:
        return int(self.max_uncompressed_mb * 1024 * 1024)

    def text_allowed(self, source_bytes: int) -> int:
        """Characters the cells of a sheet may copy out of shared strings or repeats: ``max_ratio`` times
        the XML they come from (at least 64 MB), never over ``max_uncompressed_mb``."""
        return int(min(self.max_bytes, max(TEXT_GRACE, self.max_ratio * source_bytes)))


def too_big(path: Path, what: str) -> InputError:
    return InputError(_("{path}: refused: the file {what}, more than limits.max_uncompressed_mb allows.").format(
                          path=path, what=what),
                      hint=_("If the export is genuine, raise limits.max_uncompressed_mb in tiercli.toml (or "
                             "TIERCLI_LIMITS_MAX_UNCOMPRESSED_MB)."))


def over_limit(path: Path, what: str, setting: str) -> InputError:
    return InputError(_("{path}: refused: {what}, more than limits.{setting} allows.").format(
                          path=path, what=what, setting=setting),
                      hint=_("If the export is genuine, raise limits.{setting} in tiercli.toml (or "
                             "TIERCLI_LIMITS_{value}).").format(setting=setting, value=setting.upper()))


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def check_gzip(path: Path, limits: Limits) -> None:
    """A .gz export is unpacked once, counting, before pandas reads it: a gzip bomb is refused early."""
    packed = max(path.stat().st_size, 1)
    total = 0
    try:
        with gzip_open(path) as fh:
            while chunk := fh.read(CHUNK_OUT):
                total += len(chunk)
                if total > limits.max_bytes:
                    raise too_big(path, "unpacks to more than it")
                if total > GRACE_BYTES and total > limits.max_ratio * packed:
                    raise over_limit(path, f"it unpacks more than {limits.max_ratio:g} times its size "
                                           "(a compression bomb?)", "max_ratio")
    except (OSError, EOFError, *INFLATE_ERRORS) as exc:
        raise InputError(_("{path}: the .gz file is damaged ({exc}).").format(path=path, exc=exc),
                         hint=_("Download it again.")) from None


def workbook_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes (unpacked if it is a .gz), read once so the check and the parse see the same."""
    if not is_gzip(path):
        return path.read_bytes()
    check_gzip(path, limits)
    with gzip_open(path) as fh:
        return fh.read()


_LEGACY_PROBE = r"""
import io, sys
limit, text_limit = int(sys.argv[1]), int(sys.argv[2])
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass
import python_calamine as pc
try:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
    text = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        text += sum(len(v) for row in rows for v in row if type(v) is str)
        del rows
except MemoryError:
    sys.exit(5)
except Exception:
    sys.exit(3)  # calamine cannot read it: the reader says so itself
sys.exit(4 if text > text_limit else 0)
"""


def probe_legacy_workbook(path: Path, data: bytes, limits: Limits) -> None:
    """A legacy .xls (OLE2/BIFF) cannot be checked part by part like a zip, and calamine reads it whole
    when it opens it; so a child process with a memory cap opens it first.  A crafted .xls (one long
    string in every cell) dies there, not here."""
    import subprocess
    import sys

    if "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError(_("{path}: the workbook is encrypted (password-protected).").format(path=path),
                         hint=_("Save it without a password, as .xlsx."))
    cap = (512 << 20) + 3 * limits.max_bytes
    try:
        done = subprocess.run([sys.executable, "-c", _LEGACY_PROBE, str(cap), str(limits.max_bytes)], input=data,
                              capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise InputError(_("{path}: refused: the workbook takes too long to open.").format(path=path),
                         hint=_("Open it in Excel and save it as .xlsx or .csv.")) from None
    except OSError:
        return  # no child process possible here: read it directly
    if done.returncode == 4:
        raise too_big(path, "has cells that expand to more text than")
    if done.returncode not in (0, 3):
        raise InputError(_("{path}: refused: opening the workbook takes more memory than the limits allow (a crafted "
                           "file?).").format(path=path),
                         hint=_("If it is genuine, raise limits.max_uncompressed_mb, or save it as .xlsx or .csv."))
