"""Schemathesis hooks for test/fuzz/openapi-fuzz.test.ts.

Two things schemathesis does not do by itself:
- reach the handlers: path ids are mostly random UUIDs, which only ever get 404; half of the cases use
  the real ids of the fuzz district instead (FUZZ_FIXTURE_IDS, a JSON object parameter name -> id);
- send the hostile shapes issue 11 names: unknown properties named with regex metacharacters and a
  catastrophic-backtracking pattern, NUL and other C0 bytes, lone surrogates, huge and negative numbers,
  deep nesting, thousands of keys. Half of the JSON bodies get one of those mutations.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

FIXTURE_IDS = json.loads(os.environ.get("FUZZ_FIXTURE_IDS", "{}"))

REGEX_KEYS = ["(", "[", "a)b", "\\", "(a+)+$", "(a|aa)+$", "^(([a-z])+.)+[A-Z]([a-z])+$", "a" * 30 + "!"]
HOSTILE_STRINGS = [
    "\x00",
    "name\x00suffix",
    "\x01\x02\x07\x1b[31m\x7f",
    "\ud800",
    "lone \udfff surrogate",
    "\u202e\ufeff\u200b",
    "a" * 70_000,
]
HOSTILE_NUMBERS = [-1, -(2**63), 2**63, 10**308, -1e308, 1e-320, 2**53 + 1]


def nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = {"n": value}
    return value


def mutations(body: dict):
    """Each mutation keeps the body's own fields, so the request still reaches the handler's validation.

    Built lazily (one per drawn index): the big ones are megabytes, and a strategy's repr must stay small.
    """
    fields = list(body) or ["body"]
    out = [lambda key=key: {**body, key: "x"} for key in REGEX_KEYS]
    for field in fields:
        out += [lambda field=field, text=text: {**body, field: text} for text in HOSTILE_STRINGS]
        out += [lambda field=field, number=number: {**body, field: number} for number in HOSTILE_NUMBERS]
        out.append(lambda field=field: {**body, field: nested(200)})
        out.append(lambda field=field: {**body, field: [nested(30)] * 50})
    out.append(lambda: {**body, **{f"k{i}": i for i in range(5_000)}})
    out.append(lambda: {**body, "deep": nested(600)})
    return out


def takes_json(context) -> bool:
    """Multipart bodies cannot carry these shapes (a lone surrogate has no UTF-8 form to send)."""
    operation = context.operation
    return operation is not None and any("json" in (payload.media_type or "") for payload in operation.body.items)


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict) or not takes_json(context):
        return st.just(body)
    built = mutations(body)
    return st.one_of(st.just(body), st.integers(0, len(built) - 1).map(lambda index: built[index]()))


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    known = {name: FIXTURE_IDS[name] for name in path_parameters if name in FIXTURE_IDS}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])
