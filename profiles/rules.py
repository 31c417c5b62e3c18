"""Named invariant rules: the algorithmic constraints a profile refers to by name.

A StructureDefinition constraint names one of these through the ``constraint-implementation`` extension
when its check is an algorithm rather than a path expression (a NIK's embedded birth date, a lookup in
the Kemendagri region table, time ordering). The profile stays the data that says *where* and *with which
message id*; this module only says *how*. Each rule returns ``[(path, message)]`` for every violation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from profiles.engine import RuleFn
from profiles.issues import items
from profiles.memo import Memo

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU_SYSTEM = "https://fhir.kemkes.go.id/id/nik-ibu"
_PERSON_SYSTEMS = frozenset({NIK_SYSTEM, NIK_IBU_SYSTEM})
_IBU_SYSTEM = frozenset({NIK_IBU_SYSTEM})
ENCOUNTER_FLOW = ("planned", "arrived", "triaged", "in-progress", "onleave", "finished")


class RuleServices(Protocol):
    """What rules need from terminology."""

    def nik_problems(self, nik: str, birth_date: str | None, gender: str | None) -> list[str]: ...

    def area_exists(self, code: str) -> bool: ...

    def units_for(self, system: str, code: str) -> frozenset[str] | None: ...


def parse_instant(text: str) -> datetime | None:
    """Start of a FHIR date/dateTime/instant in UTC (dates without a zone read as UTC)."""
    try:
        if len(text) == 4:
            return datetime(int(text), 1, 1, tzinfo=UTC)
        if len(text) == 7:
            return datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=UTC)
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    except ValueError:
        return None


def _date_values(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, dict):  # Period
        return [(v, f"{path}.{k}") for k in ("start", "end") if isinstance(v := value.get(k), str)]
    return []


def utc(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A dateTime with a time must be in UTC, ``+00:00`` (SATUSEHAT: convert WIB −7, WITA −8, WIT −9)."""
    out = []
    for text, where in _date_values(value, path):
        if "T" in text and not (text.endswith("+00:00") or text.endswith("Z")):
            out.append((where, f"{where} ({text}) must be in UTC (+00:00)"))
    return out


def encounter_period(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A finished Encounter has ``period.end``, later than ``period.start`` (RuleNumber 10121/10123)."""
    if not isinstance(value, dict) or value.get("status") != "finished":
        return []
    period = value.get("period") or {}
    start, end = period.get("start"), period.get("end")
    if not isinstance(end, str):
        return [(f"{path}.period.end", f"{path}.period.end is required when status is finished")]
    s, e = parse_instant(start) if isinstance(start, str) else None, parse_instant(end)
    if s is not None and e is not None and e <= s:
        return [
            (f"{path}.period.end", f"{path}.period.end ({end}) must be later than period.start ({start})")
        ]
    return []


def encounter_status_history(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """``statusHistory`` follows arrived → in-progress → finished, ends in the current status, and lies
    within ``period`` (RuleNumber 10122)."""
    if not isinstance(value, dict):
        return []
    history = items(value.get("statusHistory"))
    out: list[tuple[str, str]] = []
    statuses = [h.get("status") for h in history if isinstance(h, dict)]
    ranks = [ENCOUNTER_FLOW.index(s) for s in statuses if s in ENCOUNTER_FLOW]
    if ranks != sorted(ranks):
        out.append(
            (
                f"{path}.statusHistory",
                f"{path}.statusHistory is out of order ({' → '.join(map(str, statuses))})",
            )
        )
    if statuses and value.get("status") in ENCOUNTER_FLOW and statuses[-1] != value.get("status"):
        out.append(
            (
                f"{path}.statusHistory[{len(statuses) - 1}].status",
                f"the last statusHistory entry is '{statuses[-1]}' but the Encounter status is "
                f"'{value.get('status')}'",
            )
        )
    period = value.get("period") or {}
    lo = parse_instant(period["start"]) if isinstance(period.get("start"), str) else None
    hi = parse_instant(period["end"]) if isinstance(period.get("end"), str) else None
    for i, h in enumerate(history):
        for k in ("start", "end"):
            t = (h.get("period") or {}).get(k) if isinstance(h, dict) else None
            when = parse_instant(t) if isinstance(t, str) else None
            if when is not None and ((lo and when < lo) or (hi and when > hi)):
                out.append(
                    (
                        f"{path}.statusHistory[{i}].period.{k}",
                        f"{path}.statusHistory[{i}].period.{k} ({t}) lies outside the Encounter period",
                    )
                )
    return out


def nik(services: RuleServices) -> RuleFn:
    """NIK: 16 digits, a real birth date matching ``birthDate`` (+40 on the day for women), an existing
    district prefix (Dukcapil NIK structure; domain notes §6). Applied to ``Patient`` / ``Practitioner``."""

    problems = Memo[tuple[str, Any, Any], list[str]](lambda key: services.nik_problems(*key))

    def run(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
        if not isinstance(value, dict):
            return []
        out = []
        for i, ident in enumerate(items(value.get("identifier"))):
            if (
                isinstance(ident, dict)
                and ident.get("system") == NIK_SYSTEM
                and isinstance(ident.get("value"), str)
            ):
                found = problems[(ident["value"], value.get("birthDate"), value.get("gender"))]
                if found:  # the path is written only for a problem
                    out += [(f"{path}.identifier[{i}].value", problem) for problem in found]
        return out

    return run


def nik_or_nik_ibu(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A person is identified by a NIK or, for a baby without one, by the mother's NIK."""
    if not isinstance(value, dict):
        return []
    person = False
    for ident in items(value.get("identifier")):  # every system is hashed (an unhashable one raises)
        if isinstance(ident, dict) and ident.get("system") in _PERSON_SYSTEMS:
            person = True
    if not person:
        return [
            (
                f"{path}.identifier",
                f"{path} needs a NIK ({NIK_SYSTEM}) or the mother's NIK ({NIK_IBU_SYSTEM})",
            )
        ]
    return []


def newborn(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A baby identified by the mother's NIK (``nik-ibu``) carries ``multipleBirthInteger`` (0 if single)."""
    if not isinstance(value, dict):
        return []
    ibu = False
    for ident in items(value.get("identifier")):  # every system is hashed (an unhashable one raises)
        if isinstance(ident, dict) and ident.get("system") in _IBU_SYSTEM:
            ibu = True
    if ibu and "multipleBirthInteger" not in value:
        return [
            (
                f"{path}.multipleBirthInteger",
                "a newborn identified by nik-ibu needs multipleBirthInteger "
                "(0 when the birth is not multiple)",
            )
        ]
    return []


def administrative_code(services: RuleServices) -> RuleFn:
    """The administrativeCode extension: Kemendagri codes of 2/4/6/10 digits that exist and nest."""
    lengths = {"province": 2, "city": 4, "district": 6, "village": 10}

    areas = Memo[str, bool](services.area_exists)

    def judge(levels: tuple[tuple[int, str, str], ...]) -> tuple[tuple[int, str], ...]:
        """(extension index, level, code) of the sub-extensions → (extension index, problem) of each bad
        code. Pure: a Memo remembers the answer per address (the codes of a village repeat)."""
        codes: dict[str, tuple[str, int]] = {level: (code, i) for i, level, code in levels}  # last wins
        out = []
        parent = ""
        for level, n in lengths.items():
            if level not in codes:
                continue
            code, i = codes[level]
            if len(code) != n or not code.isdigit():
                problem = f"{level} code '{code}' must be {n} digits"
            elif not areas[code]:
                problem = f"{level} code '{code}' is not a Kemendagri region code"
            elif parent and not code.startswith(parent):
                problem = f"{level} code '{code}' does not lie within '{parent}'"
            else:
                parent = code  # only a good code is the parent of the next level (no cascade of errors)
                continue
            out.append((i, problem))
            # a bad code: the next level is checked against the last good one
        return tuple(out)

    verdicts = Memo[tuple[tuple[int, str, str], ...], tuple[tuple[int, str], ...]](judge)

    def run(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
        if not isinstance(value, dict):
            return []
        levels = tuple(
            [
                (i, sub["url"], sub["valueCode"])
                for i, sub in enumerate(items(value.get("extension")))
                if isinstance(sub, dict)
                and sub.get("url") in lengths
                and isinstance(sub.get("valueCode"), str)
            ]
        )
        found = verdicts[levels]
        return [(f"{path}.extension[{i}].valueCode", problem) for i, problem in found] if found else []

    return run


def quantity_unit(services: RuleServices) -> RuleFn:
    """An Observation's UCUM unit must be one allowed for its (LOINC) code (SATUSEHAT RuleNumber 10012)."""

    units = Memo[tuple[str, str], frozenset[str] | None](lambda key: services.units_for(*key))

    def run(value: Any, path: str, _: dict[str, Any]) -> Sequence[tuple[str, str]]:
        try:  # the common shape, read with subscripts; anything else (or a wrong unit) goes the long way
            unit = value["valueQuantity"]["code"]
            for coding in value["code"]["coding"]:
                system, code = coding["system"], coding["code"]
                if system.__class__ is not str or code.__class__ is not str:
                    break
                allowed = units[(system, code)]
                if allowed is not None and unit not in allowed:
                    break
            else:
                return ()
        except (KeyError, TypeError):
            pass
        return general(value, path)

    def general(value: Any, path: str) -> Sequence[tuple[str, str]]:
        quantity = value.get("valueQuantity") if value.__class__ is dict else None
        if quantity.__class__ is not dict:
            return ()
        code = value.get("code")
        codings = code.get("coding") if code.__class__ is dict else None
        if codings.__class__ is not list:
            return ()
        unit = quantity.get("code")
        for coding in codings:
            c = coding.get("code") if coding.__class__ is dict else None
            if c.__class__ is not str:
                continue
            system = coding.get("system")
            allowed = units[(system if system.__class__ is str else str(system), c)]
            if allowed is not None and unit not in allowed:
                return [
                    (
                        f"{path}.valueQuantity.code",
                        f"unit '{unit}' is not allowed for {coding['code']} "
                        f"(allowed: {', '.join(sorted(allowed))})",
                    )
                ]
        return ()

    return run


def immunization_given(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A vaccine given by a health worker (``primarySource`` true) needs ``lotNumber`` and ``expirationDate``
    (RuleNumbers 10306, 10307)."""
    if not isinstance(value, dict) or value.get("primarySource") is not True:
        return []
    return [
        (f"{path}.{k}", f"{path}.{k} is required when the vaccine was given by a health worker")
        for k in ("lotNumber", "expirationDate")
        if k not in value
    ]


SYS_IDS = "http://sys-ids.kemkes.go.id/"
SYS_IDS_KINDS: dict[str, tuple[str, ...]] = {
    "Organization": ("organization",),  # RuleNumber 10446
    "Location": ("location",),  # RuleNumber 10447
    "Encounter": ("encounter", "asik", "sitb"),  # RuleNumber 10117
}
_ORG_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
KFA_SYSTEM = "http://sys-ids.kemkes.go.id/kfa"
KFA_PRODUCT = re.compile(r"^93[0-9]{6}$")  # KFA actual product codes (93xxxxxx)
KFA_VACCINE_GROUP = re.compile(r"^VG[0-9]+$")  # "CVX group" codes under the KFA system
IMMUNIZATION_ORIGIN = "http://terminology.hl7.org/CodeSystem/immunization-origin"
IMMUNIZATION_REASON = "http://terminology.kemkes.go.id/CodeSystem/immunization-reason"
IMMUNIZATION_ROUTINE_TIMING = "http://terminology.kemkes.go.id/CodeSystem/immunization-routine-timing"
# IM-Rutin and the codes under it ("Imunisasi Program Rutin …" in the Kemkes code system, Permenkes 12/2017).
ROUTINE_IMMUNIZATION = frozenset({"IM-Rutin", "IM-Dasar", "IM-Lanjutan", "IM-Baduta", "IM-SD", "IM-WUS"})


def sys_ids_identifier(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A facility-scoped business identifier: one ``identifier.system`` of the form
    ``http://sys-ids.kemkes.go.id/{kind}/{org-id}`` for the resource type (Organization 10446, Location 10447,
    Encounter 10117, which also allows the ASIK and SITB kinds). A profile cannot slice on a system template,
    hence a rule. No identifier at all is left to the element's cardinality."""
    if not isinstance(value, dict):
        return []
    idents = [i for i in items(value.get("identifier")) if isinstance(i, dict)]
    if not idents:
        return []
    rtype = str(value.get("resourceType"))
    kinds = SYS_IDS_KINDS.get(rtype, (rtype.lower(),))
    for ident in idents:
        system = ident.get("system")
        if isinstance(system, str) and system.startswith(SYS_IDS):
            kind, sep, org_id = system[len(SYS_IDS) :].partition("/")
            if sep and kind in kinds and _ORG_ID.match(org_id):
                return []
    wanted = " or ".join(f"{SYS_IDS}{k}/{{org-id}}" for k in kinds)
    return [(f"{path}.identifier", f"{path} needs an identifier whose system is {wanted}")]


def _codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in items(concept.get("coding")) if isinstance(c, dict)]


def immunization_vaccine_code(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """``vaccineCode`` carries, under the KFA system, the vaccine group (``VG…``) and, unless the history was
    recalled from memory (``reportOrigin`` = ``recall``), the KFA actual product code (``93xxxxxx``)
    (SATUSEHAT Immunization page; RuleNumber 10103). Without any KFA coding the slice cardinality reports."""
    if not isinstance(value, dict):
        return []
    kfa = [str(c.get("code")) for c in _codings(value.get("vaccineCode")) if c.get("system") == KFA_SYSTEM]
    if not kfa:
        return []
    where = f"{path}.vaccineCode.coding"
    out = []
    recalled = any(
        c.get("system") == IMMUNIZATION_ORIGIN and c.get("code") == "recall"
        for c in _codings(value.get("reportOrigin"))
    )
    if not recalled and not any(KFA_PRODUCT.match(c) for c in kfa):
        out.append((where, f"{where} needs the KFA product code (93xxxxxx, system {KFA_SYSTEM})"))
    if not any(KFA_VACCINE_GROUP.match(c) for c in kfa):
        out.append((where, f"{where} needs the vaccine group code (VG…, system {KFA_SYSTEM})"))
    return out


def immunization_location(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A completed Immunization names its ``location`` (RuleNumber 10305)."""
    if isinstance(value, dict) and value.get("status") == "completed" and "location" not in value:
        return [(f"{path}.location", f"{path}.location is required when status is completed")]
    return []


def _only(rule: RuleFn, element: str) -> RuleFn:
    """The violations of ``rule`` at one element (to give each its own message id and RuleNumber)."""

    def run(value: Any, path: str, resource: dict[str, Any]) -> list[tuple[str, str]]:
        return [(where, m) for where, m in rule(value, path, resource) if where == f"{path}.{element}"]

    return run


def immunization_routine_timing(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A routine programme immunization (``IM-Rutin`` or a code under it: IM-Dasar, IM-Lanjutan, IM-Baduta,
    IM-SD, IM-WUS) also carries an ``immunization-routine-timing`` coding (IM-Ideal / IM-Kejar) in
    ``reasonCode`` (SATUSEHAT Immunization page)."""
    if not isinstance(value, dict):
        return []
    reasons = items(value.get("reasonCode"))
    codings = [c for r in reasons for c in _codings(r)]
    if any(c.get("system") == IMMUNIZATION_ROUTINE_TIMING for c in codings):
        return []
    for i, reason in enumerate(reasons):
        for c in _codings(reason):
            if c.get("system") == IMMUNIZATION_REASON and c.get("code") in ROUTINE_IMMUNIZATION:
                return [
                    (
                        f"{path}.reasonCode[{i}]",
                        f"a routine immunization ({c.get('code')}) needs an immunization-routine-timing "
                        "coding (IM-Ideal or IM-Kejar)",
                    )
                ]
    return []


def reason_code_or_reference(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """A request says why: ``reasonCode`` or ``reasonReference`` (a referral without a reason is refused)."""
    if isinstance(value, dict) and not value.get("reasonCode") and not value.get("reasonReference"):
        return [(f"{path}.reasonCode", f"{path} needs a reasonCode or a reasonReference")]
    return []


# Questionnaires SATUSEHAT accepts in QuestionnaireResponse.questionnaire (RuleNumber 10169); the same list as
# terminology.urls.QUESTIONNAIRES and the ilp-qr-1 expression of the profile (a test keeps them equal).
SATUSEHAT_QUESTIONNAIRES = frozenset(
    f"https://fhir.kemkes.go.id/Questionnaire/{q}" for q in ("Q0006", "Q0007", "Q0008", "Q0011", "Q0023")
)


def approved_questionnaire(value: Any, path: str, _: dict[str, Any]) -> list[tuple[str, str]]:
    """``QuestionnaireResponse.questionnaire`` is one SATUSEHAT accepts (RuleNumber 10169)."""
    if isinstance(value, str) and value not in SATUSEHAT_QUESTIONNAIRES:
        return [(path, f"{path} ({value}) is not a questionnaire SATUSEHAT accepts")]
    return []


GUARDS: dict[str, str] = {
    "utc": "{v}.__class__ is str and ('T' not in {v} or {v}.endswith(('+00:00', 'Z')))",
}
"""Per named rule, a Python expression over the value ``{v}`` that is true only when the rule certainly
finds nothing: generated code (:mod:`profiles.codegen`) tests it inline and calls the rule only when it is
false. A guard must never be true for a value the rule would report (``tests/profiles/test_rules.py``)."""


def library(services: RuleServices) -> dict[str, RuleFn]:
    """All named rules, bound to the services they need."""
    return {
        "utc": utc,
        "encounter-period": encounter_period,
        "encounter-status-history": encounter_status_history,
        "nik": nik(services),
        "newborn": newborn,
        "nik-or-nik-ibu": nik_or_nik_ibu,
        "administrative-code": administrative_code(services),
        "quantity-unit": quantity_unit(services),
        "sys-ids-identifier": sys_ids_identifier,
        "immunization-vaccine-code": immunization_vaccine_code,
        "immunization-location": immunization_location,
        "immunization-lot-number": _only(immunization_given, "lotNumber"),
        "immunization-expiration-date": _only(immunization_given, "expirationDate"),
        "immunization-routine-timing": immunization_routine_timing,
        "reason-code-or-reference": reason_code_or_reference,
        "approved-questionnaire": approved_questionnaire,
    }
