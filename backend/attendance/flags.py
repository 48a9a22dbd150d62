"""The verification flags a check-in can carry: code, severity, explanation.

Flags are stored as ``{"code", "severity", "params"}`` and their messages are
rendered when shown, in the reader's language. A flag that names another
employee (a reused photo, a shared device or shared coordinates) has a second,
anonymous message, and stores the named employees' ids (``employee_ids``).
A reader gets the naming message only if they may see every employee it
names (``Names``, from ``names_for``): supervisors, unit admins and auditors
of the same scope see who else is involved; the employee the check-in
belongs to, and anyone who may not see one of the named, get the anonymous
one. A flag stored before the ids were kept names no one but a superuser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.organization.visibility import nameable_employees, viewer_for

INFO = "info"
WARNING = "warning"
CRITICAL = "critical"
_RANK = {INFO: 0, WARNING: 1, CRITICAL: 2}


@dataclass(frozen=True)
class FlagKind:
    code: str
    severity: str
    message: Promise
    # Shown to the subject (the employee the flagged record belongs to) when
    # ``message`` names someone else.
    subject_message: Promise | None = None
    # Earlier wordings, for flags stored with the parameters they name.
    older_messages: tuple[Promise, ...] = ()
    # Other messages of the same code, chosen by the stored ``variant``
    # parameter: the same finding told with the facts of another case.
    variants: Mapping[str, Promise] = field(default_factory=dict)


_KINDS = [
    FlagKind(
        "geofence_outside",
        WARNING,
        _(
            "Position is outside the workplace %(workplace)s (%(distance)d m from it, "
            "accuracy %(accuracy)d m)."
        ),
    ),
    FlagKind(
        "geofence_uncertain",
        INFO,
        _(
            "The accuracy circle (%(accuracy)d m) straddles the edge of %(workplace)s; "
            "the position itself is inside."
        ),
    ),
    FlagKind(
        "geofence_uncertain_outside",
        WARNING,
        _(
            "The accuracy circle (%(accuracy)d m) straddles the edge of %(workplace)s "
            "and the position itself is outside it."
        ),
    ),
    FlagKind(
        "flexible_unapproved",
        WARNING,
        _(
            "Checked in outside every assigned workplace with no approved "
            "flexible-work location for this day."
        ),
        variants={
            # The day has approved locations; the position is outside them.
            "outside_approved": _(
                "Checked in outside every assigned workplace and %(distance)d m "
                "from the nearest approved flexible-work location of this day "
                "(%(place)s)."
            ),
        },
    ),
    FlagKind(
        "no_workplace",
        WARNING,
        _("The employee has no assigned workplace to check the position against."),
    ),
    FlagKind(
        "accuracy_poor",
        WARNING,
        _("GPS accuracy is poor: %(accuracy)d m (limit %(limit)d m)."),
    ),
    FlagKind(
        "accuracy_zero",
        WARNING,
        _(
            "GPS accuracy reported as exactly 0 m, which real receivers never "
            "report; typical of fake-GPS apps."
        ),
    ),
    FlagKind(
        "mock_location",
        CRITICAL,
        _("The phone reported a mock (fake) location provider."),
    ),
    FlagKind(
        "impossible_travel",
        CRITICAL,
        _(
            "Travel from the check-in at %(other_time)s would need %(speed)d km/h: "
            "at least %(trip)d m (%(distance)d m between the positions, less both "
            "accuracy radii) in %(seconds)d s; limit %(limit)d km/h."
        ),
        older_messages=(
            _(
                "Travel from the check-in at %(other_time)s would need %(speed)d "
                "km/h (%(distance)d m in %(minutes)d min; limit %(limit)d km/h)."
            ),
        ),
    ),
    FlagKind(
        "exif_gps_far",
        WARNING,
        _(
            "The photo's embedded GPS position is %(distance)d m from the reported "
            "position."
        ),
    ),
    FlagKind(
        "exif_time_far",
        WARNING,
        _(
            "The photo was taken %(minutes)d min away from the reported check-in "
            "time (photo time %(photo_time)s)."
        ),
    ),
    FlagKind(
        "photo_reused",
        CRITICAL,
        _(
            "The same photo file was already used for check-in %(checkin_id)d "
            "(%(who)s, %(when)s)."
        ),
        _("The photo is identical to one used in an earlier check-in."),
    ),
    FlagKind(
        "photo_near_duplicate",
        WARNING,
        _(
            "The photo is nearly identical to the one of check-in %(checkin_id)d "
            "(%(who)s, %(when)s); a re-sent or re-photographed picture."
        ),
        _(
            "The photo is nearly identical to one used in an earlier check-in; "
            "a re-sent or re-photographed picture."
        ),
    ),
    FlagKind(
        "coordinates_shared",
        WARNING,
        _(
            "Exactly the same coordinates were reported on the same day by "
            "%(count)d other employee(s): %(names)s."
        ),
        _(
            "Exactly the same coordinates were reported on the same day by "
            "%(count)d other employee(s)."
        ),
    ),
    FlagKind(
        "device_shared",
        WARNING,
        _(
            "This device was also used by %(count)d other employee(s) recently: "
            "%(names)s."
        ),
        _("This device was also used by %(count)d other employee(s) recently."),
    ),
    FlagKind(
        "outside_schedule",
        WARNING,
        _(
            "%(kind)s at %(time)s is outside the expected window "
            "%(window_start)s-%(window_end)s."
        ),
    ),
    FlagKind(
        "non_working_day",
        INFO,
        _("%(kind)s on a day off (weekend or holiday)."),
    ),
    FlagKind(
        "late_sync",
        WARNING,
        _(
            "Sent %(minutes)d min after it was captured (offline?); the capture "
            "time rests on the phone's clock."
        ),
    ),
]
KINDS = {kind.code: kind for kind in _KINDS}


def make_flag(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "severity": KINDS[code].severity, "params": params}


@dataclass(frozen=True)
class Names:
    """Whose names a reader may be told in a flag's message.

    ``ids``: the named employees the reader may see (visibility's
    ``nameable_employees``); ``everyone``: a superuser, who is also told
    the names of flags stored without ids.
    """

    ids: frozenset[int] = frozenset()
    everyone: bool = False

    def may_name(self, params: Mapping[str, Any]) -> bool:
        if self.everyone:
            return True
        named = params.get("employee_ids")
        return isinstance(named, list) and all(pk in self.ids for pk in named)


def named_employee_ids(flag_lists: Iterable[list[dict[str, Any]]]) -> set[int]:
    """The ids of every employee that the flags of ``flag_lists`` name."""
    found: set[int] = set()
    for flags in flag_lists:
        for flag in flags:
            params = flag.get("params") if isinstance(flag, dict) else None
            named = params.get("employee_ids") if isinstance(params, dict) else None
            if isinstance(named, list):
                found.update(pk for pk in named if isinstance(pk, int))
    return found


def names_for(user: Any, flag_lists: Iterable[list[dict[str, Any]]]) -> Names:
    """Whose names ``user`` may read in the flags of ``flag_lists`` (a page
    of check-ins): at most one query, none when no flag names anyone."""
    if viewer_for(user).is_superuser:
        return Names(everyone=True)
    return Names(ids=nameable_employees(user, named_employee_ids(flag_lists)))


# The check-in kind inside a message, in the reader's language.
_KIND_LABELS = {"in": _("Check-in (masuk)"), "out": _("Check-out (pulang)")}


def render_flags(
    flags: list[dict[str, Any]],
    kinds: dict[str, FlagKind] | None = None,
    *,
    for_subject: bool = False,
    names: Names | None = None,
) -> list[dict[str, str]]:
    """Flags with their explanation in the active language (``kinds``: the
    catalogue to explain them with, by default the check-in flags).

    A flag that names other employees gets its anonymous message when the
    reader is the employee the flags are about (``for_subject``) or may not
    see every employee it names (``names``; none given: names no one).
    """
    catalogue = KINDS if kinds is None else kinds
    rendered = []
    for stored in flags:
        kind = catalogue.get(stored["code"])
        if kind is None:
            message = stored["code"]
        else:
            params = dict(stored.get("params", {}))
            template = kind.variants.get(params.get("variant", ""), kind.message)
            if kind.subject_message is not None and (
                for_subject or names is None or not names.may_name(params)
            ):
                template = kind.subject_message
            if params.get("kind") in _KIND_LABELS:
                params["kind"] = str(_KIND_LABELS[params["kind"]])
            message = _filled(template, kind.older_messages, params)
        rendered.append(
            {"code": stored["code"], "severity": stored["severity"], "message": message}
        )
    return rendered


def _filled(
    template: Promise, older: tuple[Promise, ...], params: dict[str, Any]
) -> str:
    """``template`` filled with ``params``; for a flag stored before its
    wording changed, the first earlier wording its parameters fill."""
    for candidate in (template, *older):
        try:
            return str(candidate) % params
        except (KeyError, TypeError, ValueError):
            continue
    return str(template)


def needs_review(flags: list[dict[str, Any]]) -> bool:
    """Any flag at warning or above sends the check-in to human review."""
    return any(_RANK[flag["severity"]] >= _RANK[WARNING] for flag in flags)


# Weights of the audit queue's risk score: one critical flag outweighs three
# warnings; informational flags do not add risk.
RISK_WEIGHTS = {INFO: 0, WARNING: 3, CRITICAL: 10}


def risk_score(flags: list[dict[str, Any]]) -> int:
    """The sum of the flags' weights, capped to fit the column."""
    return min(sum(RISK_WEIGHTS[flag["severity"]] for flag in flags), 32_000)


def flag_codes_text(flags: list[dict[str, Any]]) -> str:
    """The codes as ``",code,code,"``, for matching one code with LIKE."""
    codes = sorted({flag["code"] for flag in flags})
    return f",{','.join(codes)}," if codes else ""
