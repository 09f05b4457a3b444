"""Presets: data files that say how a platform's export maps to a canonical table, and detection.

A preset is a TOML file (see ``presets/*.toml``): its ``kind``, a ``[columns]``
table of canonical field -> header aliases, optional ``signature`` headers that
only this layout has, ``order_level`` fields carried by the first line of an
order only, and a ``[status]`` vocabulary.  Users add their own by dropping a
TOML file in a folder named by ``[presets] dirs`` in tiercli.toml.

Detection scores every preset against a file's headers; the winner is the
eligible preset (every required field group found) with the highest score.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import toml_error
from ..errors import ConfigError, InputError
from ..i18n import _, pick
from .tables import KINDS


def norm_header(text: str) -> str:
    """Header key for matching: case, spaces, punctuation and full-width forms do not matter."""
    import unicodedata

    t = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s_\-./()（）:：#]+", "", t)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    kind: str
    columns: dict[str, tuple[str, ...]]
    signature: tuple[str, ...] = ()
    order_level: tuple[str, ...] = ()
    status: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cancel_pattern: str | None = None  # regex on order_id marking cancellations (credit notes)
    no_customer_key: str | None = None
    platforms: tuple[str, ...] = ()  # the marketplaces this export comes from (their events join the email plan)
    origin: str = "built-in"
    # the same texts in Chinese (``title_zh``, ``no_customer_key_zh`` in the file): what ``text`` shows in zh
    title_zh: str = ""
    no_customer_key_zh: str | None = None

    def text(self, name: str) -> str:
        """``title`` or ``no_customer_key`` in the output language (the English where no Chinese is given)."""
        return pick(getattr(self, name) or "", getattr(self, f"{name}_zh") or "")

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str) -> "Preset":
        try:
            kind = data["kind"]
            if kind not in KINDS:
                raise ConfigError(_("preset {preset}: unknown kind {kind}.").format(preset=origin, kind=repr(kind)),
                                  hint=_("Use one of {kinds}.").format(kinds=", ".join(KINDS)))
            columns = {}
            for canon, aliases in data.get("columns", {}).items():
                if canon not in KINDS[kind].fields:
                    raise ConfigError(
                        _("preset {preset}: {field} is not a field of {kind}.").format(
                            preset=origin, field=repr(canon), kind=kind),
                        hint=_("Fields: {fields}.").format(fields=", ".join(KINDS[kind].fields)),
                    )
                columns[canon] = tuple([aliases] if isinstance(aliases, str) else aliases)
            return cls(
                name=data["name"],
                title=data.get("title", data["name"]),
                kind=kind,
                columns=columns,
                signature=tuple(data.get("signature", ())),
                order_level=tuple(data.get("order_level", ())),
                status={k: tuple(v) for k, v in data.get("status", {}).items()},
                cancel_pattern=data.get("cancel_pattern"),
                no_customer_key=data.get("no_customer_key"),
                platforms=tuple(str(x).strip().lower() for x in data.get("platforms", ())),
                origin=origin,
                title_zh=data.get("title_zh", ""),
                no_customer_key_zh=data.get("no_customer_key_zh"),
            )
        except KeyError as exc:
            raise ConfigError(_("preset {preset}: missing key {key}.").format(preset=origin, key=exc),
                              hint=_("Every preset needs name and kind.")) from None


def load_presets(extra_dirs: list[Path] | None = None) -> dict[str, Preset]:
    """Built-in presets, then the user's (a user preset with the same name replaces the built-in)."""
    presets: dict[str, Preset] = {}
    for entry in sorted(resources.files("tiercli.schema").joinpath("presets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            p = Preset.from_dict(tomllib.loads(entry.read_text(encoding="utf-8")), "built-in")
            presets[p.name] = p
    for d in extra_dirs or []:
        d = Path(d)
        if not d.is_dir():
            raise ConfigError(_("presets folder {folder} does not exist.").format(folder=d),
                              hint=_("Fix [presets] dirs in tiercli.toml."))
        for f in sorted(d.glob("*.toml")):
            try:
                data = tomllib.loads(f.read_text(encoding="utf-8-sig"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(toml_error(f, exc)) from None
            p = Preset.from_dict(data, str(f))
            presets[p.name] = p
    return presets


@dataclass
class Match:
    """How one preset fits one file's headers."""

    preset: Preset
    mapping: dict[str, str]  # canonical field -> header in the file
    score: float
    missing: list[tuple[str, ...]]  # required groups with no field found
    signature_hits: list[str]

    @property
    def eligible(self) -> bool:
        return not self.missing

    def why(self) -> str:
        bits = [_("{n} columns mapped").format(n=len(self.mapping))]
        if self.signature_hits:
            bits.append(_("signature {headers}").format(headers=", ".join(self.signature_hits[:4])))
        return "; ".join(bits)


def match_preset(preset: Preset, headers: list[str], overrides: dict[str, str] | None = None) -> Match:
    """Map a file's headers through one preset (and the user's [columns] overrides)."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(norm_header(h), h)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    kind = KINDS[preset.kind]
    for canon in kind.fields:
        for alias in preset.columns.get(canon, ()):
            h = by_norm.get(norm_header(alias))
            if h is not None and h not in used:
                mapping[canon] = h
                used.add(h)
                break
    for canon, header in (overrides or {}).items():
        if canon in kind.fields and header in headers:
            mapping[canon] = header
    sig = [s for s in preset.signature if norm_header(s) in by_norm]
    missing = [g for g in kind.required if not any(f in mapping for f in g)]
    # mapped fields count once each; layout signatures count more, so a platform's own
    # preset beats a generic one that happens to share its column names
    score = len(mapping) + 3 * len(sig) - 5 * len(missing)
    return Match(preset, mapping, score, missing, sig)


def detect(headers: list[str], presets: dict[str, Preset], *, forced: str | None = None,
           overrides: dict[str, dict[str, str]] | None = None, label: str = "file") -> Match:
    """The preset that fits ``headers`` best, or an InputError naming the headers and the closest preset."""
    overrides = overrides or {}

    def ov(p: Preset) -> dict[str, str]:
        flat = {k: v for k, v in overrides.items() if isinstance(v, str)}
        flat.update(overrides.get(p.kind, {}) if isinstance(overrides.get(p.kind), dict) else {})
        return flat

    if forced:
        if forced not in presets:
            raise InputError(_("unknown preset {preset}.").format(preset=repr(forced)),
                             hint=_("Choose one of: {presets}.").format(presets=", ".join(sorted(presets))))
        m = match_preset(presets[forced], headers, ov(presets[forced]))
        if not m.eligible:
            raise InputError(
                _("{file}: preset {preset} needs a column for {fields}; headers seen: {headers}.").format(
                    file=label, preset=forced, fields=_groups(m.missing), headers=_headers(headers)),
                hint=_("Add a [columns] entry in tiercli.toml mapping it to your header."),
            )
        return m
    # on a tie, the preset with fewer signature headers missing wins: a file whose columns the user
    # mapped in [columns] is a generic export, not an Amazon report that happens to sort first
    matches = sorted((match_preset(p, headers, ov(p)) for p in presets.values()),
                     key=lambda m: (m.eligible, m.score, len(m.signature_hits),
                                    len(m.signature_hits) - len(m.preset.signature)), reverse=True)
    best = matches[0]
    if not best.eligible or best.score <= 0:
        closest = max(matches, key=lambda m: (m.score, -len(m.missing)))
        raise InputError(
            _("{file}: no known export layout fits its columns ({headers}); closest is {preset} ({title}), which "
              "lacks {fields}.").format(file=label, headers=_headers(headers), preset=closest.preset.name,
                                        title=closest.preset.text("title"), fields=_groups(closest.missing)),
            hint=_("Pass --preset NAME or map your headers in tiercli.toml [columns] (see README, 'Presets')."),
        )
    return best


def _groups(groups: list[tuple[str, ...]]) -> str:
    return ", ".join(_(" or ").join(g) for g in groups) or _("nothing")


def _headers(headers: list[str], n: int = 8) -> str:
    shown = ", ".join(headers[:n])
    return shown + (_(", ... ({n} in all)").format(n=len(headers)) if len(headers) > n else "")
