"""JSON-LD for Data Integrity: the contexts the job ships, and RDFC-1.0 canonical N-Quads.

Contexts are never fetched: a document naming a context that is not shipped is refused. The
canonical form is pyld's URDNA2015, which RDFC-1.0 names; the two differ only in how N-Quads
escape control characters other than tab, newline and carriage return, so strings holding those
are refused rather than canonicalised differently from other implementations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

from faust_badges.core.errors import BadgesError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_SHIPPED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.jsonld",
}
_UNESCAPED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CanonicalizationError(BadgesError, ValueError):
    """The document cannot be canonicalised safely (unknown context, dropped term, ...)."""


@cache
def _shipped_text(url: str) -> str:
    folder = resources.files("faust_badges.openbadges") / "contexts"
    return (folder / _SHIPPED[url]).read_text("utf-8")


def shipped_contexts() -> dict[str, Any]:
    """Every shipped context, URL -> parsed document."""
    return {url: json.loads(_shipped_text(url)) for url in _SHIPPED}


def _loader(extra: Mapping[str, Any]) -> Any:
    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url in extra:
            document = extra[url]
        elif url in _SHIPPED:
            document = json.loads(_shipped_text(url))  # a fresh copy: pyld may keep it
        else:
            raise CanonicalizationError(f"context {url!r} is not one this job knows")
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonical_nquads(document: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, refusing anything that would make
    the signed statements differ from the JSON: a term no context defines (JSON-LD would drop
    it silently), a relative type or id, a control character, an unknown context.

    ``extra``: more contexts by URL (tests use the W3C examples context)."""
    for text in _strings(document):
        if _UNESCAPED_CONTROLS.search(text):
            raise CanonicalizationError("a string holds a control character")
    loader = _loader(extra or {})

    def dropped(term: str, *_: Any) -> None:
        raise CanonicalizationError(f"the term {term!r} is not defined by the contexts")

    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped)
    try:
        expanded = processor.expand(dict(document), {"documentLoader": loader})
        _check_absolute(expanded)
        return str(
            processor.normalize(
                expanded,
                {
                    "algorithm": "URDNA2015",
                    "format": "application/n-quads",
                    "documentLoader": loader,
                },
            )
        )
    except jsonld.JsonLdError as exc:
        cause = exc.__cause__
        while cause is not None and not isinstance(cause, CanonicalizationError):
            cause = cause.__cause__
        raise (cause or CanonicalizationError(f"not valid JSON-LD: {exc.type}")) from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _check_absolute(expanded: Any) -> None:
    """Relative ids and types have no RDF form: pyld would leave their statements out."""
    if isinstance(expanded, list):
        for item in expanded:
            _check_absolute(item)
    elif isinstance(expanded, dict):
        for key, item in expanded.items():
            if key in ("@id", "@type"):
                for iri in item if isinstance(item, list) else [item]:
                    if isinstance(iri, str) and ":" not in iri:
                        raise CanonicalizationError(f"{iri!r} is not an absolute IRI")
            elif key != "@value":
                _check_absolute(item)
