"""The API's own description: /api/v1/openapi.json, and /api/v1/docs, a page in Norwegian built
from the same document by our own template (no CDN, no script). Both are open to everyone: they
describe the API and hold no data."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from flask import Response, current_app, render_template
from markupsafe import Markup, escape

from network.api import bp, openapi
from network.api.framework import CACHE_CONTROL, _etag, _not_modified


@lru_cache(maxsize=1)
def _document_bytes(_app_id: int) -> bytes:
    # Routes are fixed once the app is built, so the document is made once per app.
    return json.dumps(openapi.build(), ensure_ascii=False, indent=1).encode()


def document() -> dict:
    return json.loads(_document_bytes(id(current_app._get_current_object())))


@bp.get("/openapi.json")
def openapi_json():
    body = _document_bytes(id(current_app._get_current_object()))
    etag = _etag(body)
    response = Response(status=304) if _not_modified(etag) else Response(body, mimetype="application/json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


CODE_SPAN = re.compile(r"`([^`]+)`")


def with_code(text: str) -> Markup:
    """A description, whose `code spans` (CommonMark, as OpenAPI reads it) become <code>; the rest
    is escaped first, so nothing else reaches the page as markup."""
    return Markup(CODE_SPAN.sub(lambda match: f"<code>{match.group(1)}</code>", str(escape(text))))


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def type_label(schema: dict, schemas: dict) -> str:
    """A short Norwegian description of a JSON schema's type: «heltall», «liste av Samling» …"""
    name = _ref_name(schema)
    if name:
        target = schemas.get(name, {})
        if "enum" in target:
            return " | ".join(json.dumps(value, ensure_ascii=False) for value in target["enum"])
        return target.get("title", name)
    if "anyOf" in schema:
        return " eller ".join(type_label(option, schemas) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value, ensure_ascii=False) for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "liste av " + type_label(schema.get("items", {}), schemas)
    names = {"integer": "heltall", "number": "tall", "string": "tekst", "boolean": "sann/usann",
             "null": "null", "object": "objekt"}
    label = names.get(kind, kind or "verdi")
    formats = {"date": "dato (åååå-mm-dd)", "date-time": "tidspunkt (ISO 8601)", "decimal": "beløp",
               "partial-time": "klokkeslett (tt:mm:ss)"}
    if schema.get("format") in formats:
        label = formats[schema["format"]]
    return label


def fields_of(schema: dict, schemas: dict, prefix: str = "", seen: tuple = ()) -> list[dict]:
    """The fields of a response, nested ones by their path (``items[].title``)."""
    name = _ref_name(schema)
    if name:
        if name in seen:
            return []
        return fields_of(schemas.get(name, {}), schemas, prefix, seen + (name,))
    rows = []
    required = set(schema.get("required", ()))
    for field, spec in schema.get("properties", {}).items():
        path = prefix + field
        rows.append({"name": path, "type": type_label(spec, schemas),
                     "description": spec.get("description", ""), "required": field in required})
        inner, inner_path = (spec.get("items", {}), path + "[].") if spec.get("type") == "array" else (spec, path + ".")
        for option in inner.get("anyOf", [inner]):
            target = schemas.get(_ref_name(option) or "", {})
            if "properties" in target and inner_path.count(".") <= 3:
                rows.extend(fields_of(option, schemas, inner_path, seen))
    return rows


@lru_cache(maxsize=1)
def _page_parts(_app_id: int) -> dict:
    # Built from the document and SITE_URL, both fixed per app: once, not on every request.
    spec = document()
    schemas = spec["components"]["schemas"]
    base = current_app.config.get("SITE_URL", "").rstrip("/") + bp.url_prefix
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            example_path = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    example_path = example_path.replace("{" + parameter["name"] + "}", "1")
            content = operation["responses"]["200"]["content"]["application/json"]
            response_schema = content["schema"]
            example = content.get("example")
            operations.append({
                "id": operation["operationId"], "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""), "description": with_code(operation.get("description", "")),
                "example": json.dumps(example, ensure_ascii=False, indent=2) if example is not None else None,
                "tag": operation["tags"][0],
                "parameters": [{**parameter, "type": type_label(parameter["schema"], schemas),
                                "default": parameter["schema"].get("default")}
                               for parameter in operation.get("parameters", [])],
                "fields": fields_of(response_schema, schemas),
                "curl": f'curl -H "Authorization: Bearer $KSN_TOKEN" {base}{example_path}',
            })
    tags = sorted({operation["tag"] for operation in operations})
    return {"spec": spec, "operations": operations, "tags": tags, "base": base,
            "first_call": f'curl -H "Authorization: Bearer $KSN_TOKEN" {base}/me'}


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", **_page_parts(id(current_app._get_current_object())))
