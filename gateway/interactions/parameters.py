"""Operation inputs and outputs as FHIR ``Parameters`` (https://hl7.org/fhir/R4/parameters.html).

An operation's input comes either from the query string (GET: every value is a string) or from a POST
body that is a Parameters resource (typed ``value[x]``). :class:`OperationInput` gives both the same
typed getters, raising OperationOutcome errors (400) that name the offending parameter. Operations
invoked by GET and POST: https://hl7.org/fhir/R4/operations.html#executing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import Category, fail

PRIMITIVE_KEYS = (
    "valueString",
    "valueUri",
    "valueUrl",
    "valueCanonical",
    "valueCode",
    "valueId",
    "valueBoolean",
    "valueInteger",
    "valuePositiveInt",
    "valueUnsignedInt",
    "valueDecimal",
)


@dataclass(frozen=True, slots=True)
class Value:
    value: Any
    expression: str  # where it came from, for error messages (query parameter name or FHIRPath)


@dataclass(slots=True)
class OperationInput:
    """Parameters by name; each name may carry several values."""

    values: dict[str, list[Value]] = field(default_factory=dict)
    from_body: bool = False

    @classmethod
    def from_query(cls, pairs: Sequence[tuple[str, str]]) -> OperationInput:
        out = cls()
        for name, value in pairs:
            if name.startswith("_"):  # _format and the like are HTTP-level, not operation parameters
                continue
            out.values.setdefault(name, []).append(Value(value, name))
        return out

    @classmethod
    def from_parameters(cls, body: Any) -> OperationInput:
        if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
            raise fail(
                Category.INVALID,
                "ILP-5007",
                "The body of an operation must be a Parameters resource",
                code="structure",
            )
        out = cls(from_body=True)
        params = body.get("parameter", [])
        if not isinstance(params, list):
            raise _malformed("Parameters.parameter must be an array", "Parameters.parameter")
        for i, param in enumerate(params):
            where = f"Parameters.parameter[{i}]"
            if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                raise _malformed("Each parameter must be an object with a name", where)
            values = [k for k in param if k.startswith("value")]
            if len(values) > 1:
                raise _malformed(f"Parameter '{param['name']}' has more than one value[x]", where)
            value = param[values[0]] if values else param.get("resource")
            key = values[0] if values else "resource"
            out.values.setdefault(param["name"], []).append(Value(value, f"{where}.{key}"))
        return out

    # ------------------------------------------------------------------------------------------- getters
    def _one(self, name: str) -> Value | None:
        found = self.values.get(name)
        if not found:
            return None
        if len(found) > 1:
            raise _bad(f"Parameter '{name}' may be given only once", found[1].expression)
        return found[0]

    def string(self, name: str, *, required: bool = False) -> str | None:
        found = self._one(name)
        if found is None:
            if required:
                raise missing(name)
            return None
        if not isinstance(found.value, str) or not found.value:
            raise _bad(f"Parameter '{name}' must be a non-empty string", found.expression)
        return found.value

    def boolean(self, name: str) -> bool | None:
        found = self._one(name)
        if found is None:
            return None
        if isinstance(found.value, bool):
            return found.value
        if isinstance(found.value, str) and found.value in ("true", "false"):
            return found.value == "true"
        raise _bad(f"Parameter '{name}' must be true or false", found.expression)

    def integer(self, name: str) -> int | None:
        """A non-negative integer."""
        found = self._one(name)
        if found is None:
            return None
        value = found.value
        if isinstance(value, str) and value.isdigit() and value.isascii():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise _bad(f"Parameter '{name}' must be a non-negative integer", found.expression)

    def coding(self, name: str) -> dict[str, Any] | None:
        """A Coding (POST only); its ``code`` must be a string."""
        found = self._one(name)
        if found is None:
            return None
        if not isinstance(found.value, dict) or not isinstance(found.value.get("code"), str):
            raise _bad(f"Parameter '{name}' must be a Coding with a code", found.expression)
        return found.value

    def codings_of_concept(self, name: str) -> list[dict[str, Any]] | None:
        """The codings of a CodeableConcept parameter (POST only)."""
        found = self._one(name)
        if found is None:
            return None
        codings = found.value.get("coding") if isinstance(found.value, dict) else None
        if not isinstance(codings, list) or not codings:
            raise _bad(f"Parameter '{name}' must be a CodeableConcept with codings", found.expression)
        for i, coding in enumerate(codings):
            if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
                raise _bad(f"Each coding of '{name}' needs a code", f"{found.expression}.coding[{i}]")
        return codings


def missing(name: str) -> Exception:
    return fail(
        Category.INVALID, "ILP-5005", f"Parameter '{name}' is required", code="required", expression=name
    )


def _bad(message: str, expression: str) -> Exception:
    return fail(Category.INVALID, "ILP-5006", message, code="value", expression=expression)


def _malformed(message: str, expression: str) -> Exception:
    return fail(Category.INVALID, "ILP-5007", message, code="structure", expression=expression)


# ---------------------------------------------------------------------------------------------- output
def parameter(
    name: str, value: Any = None, *, kind: str = "valueString", part: list[Any] | None = None
) -> Any:
    """One ``Parameters.parameter`` (``kind`` is the value[x] key)."""
    out: dict[str, Any] = {"name": name}
    if part is not None:
        out["part"] = part
    else:
        out[kind] = value
    return out


def parameters(items: list[Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": items}
