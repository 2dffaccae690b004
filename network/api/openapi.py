"""The OpenAPI 3.1 document, built from the routes ``api_get`` registered and their pydantic
models: the schema that validates and serialises a response is the one the document shows."""
from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from network.api import framework
from network.api.framework import MAX_ID, ProblemDetails

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Ugyldige parametere i spørringen.",
    "401": "Mangler gyldig tilgangsnøkkel (ingen, ukjent, utløpt eller trukket tilbake).",
    "403": "Nøkkelens eier har ikke tilgang, eller nøkkelen gjelder et annet nettverk.",
    "404": "Finnes ikke, eller du har ikke tilgang.",
    "429": "For mange forespørsler; se Retry-After.",
}
PATH_TYPES = {"int": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "string": {"type": "string"}}


def _openapi_path(rule: str) -> str:
    return framework._PARAM.sub(lambda match: "{" + match.group(2) + "}", rule)


def _without_null(schema: dict) -> dict:
    """A query parameter left out is None; it is never sent as null, so the document says so."""
    options = schema.get("anyOf")
    if options and any(option.get("type") == "null" for option in options):
        schema = {key: value for key, value in schema.items() if key != "anyOf"}
        rest = [option for option in options if option.get("type") != "null"]
        if len(rest) == 1:
            schema.update(rest[0])
        else:
            schema["anyOf"] = rest
        if schema.get("default", 0) is None:
            schema.pop("default")
    return schema


def _local_times(node: Any) -> None:
    """pydantic calls a ``datetime.time`` "format: time", which JSON Schema reads as RFC 3339's
    full-time, with a UTC offset; our times are local to Oslo and have none. RFC 3339 calls that
    "partial-time", which the document says instead."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            node["format"] = "partial-time"
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def response_example(model: type[BaseModel]) -> dict | None:
    """The model's own first example (``json_schema_extra``), or for a page of a list one page
    holding its item's example; None if the model has none."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if examples:
        return copy.deepcopy(examples[0])
    if issubclass(model, framework.Page) and model.__pydantic_generic_metadata__["args"]:
        item = response_example(model.__pydantic_generic_metadata__["args"][0])
        if item is not None:
            return {"items": [item], "page": 1, "size": 50, "total": 1}
    return None


def build() -> dict[str, Any]:
    routes = list(framework.ROUTES)
    models = [(route.response, "serialization") for route in routes]
    models += [(route.query, "validation") for route in routes if route.query is not None]
    models.append((ProblemDetails, "serialization"))
    key_map, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas = definitions.get("$defs", {})
    _local_times(schemas)
    problem = {"content": {framework.PROBLEM_MIMETYPE: {"schema": key_map[(ProblemDetails, "serialization")]}}}

    paths: dict[str, dict] = {}
    for route in sorted(routes, key=lambda item: item.rule):
        parameters = [{"name": name, "in": "path", "required": True, "schema": dict(PATH_TYPES.get(converter, PATH_TYPES["string"]))}
                      for name, converter in route.path_params]
        if route.query is not None:
            query_schema = schemas[key_map[(route.query, "validation")]["$ref"].rsplit("/", 1)[1]]
            required = set(query_schema.get("required", ()))
            for name, schema in query_schema.get("properties", {}).items():
                schema = _without_null(copy.deepcopy(schema))
                parameter = {"name": name, "in": "query", "required": name in required, "schema": schema}
                if "description" in schema:
                    parameter["description"] = schema["description"]
                parameters.append(parameter)
        responses = {"200": {"description": "OK", "headers": {
                        "ETag": {"schema": {"type": "string"}, "description": "Send den i If-None-Match for 304."}},
                        "content": {"application/json": {"schema": key_map[(route.response, "serialization")]}}},
                     "304": {"description": "Uendret siden forrige gang (If-None-Match)."}}
        example = response_example(route.response)
        if example is not None:
            responses["200"]["content"]["application/json"]["example"] = example
        responses.update({status: {"description": text, **problem}
                          for status, text in {**ERRORS, **route.problems}.items()})
        operation = {"operationId": route.endpoint.removeprefix("api."), "summary": route.summary,
                     "tags": [route.tag], "parameters": parameters, "responses": responses}
        if route.description:
            operation["description"] = route.description
        paths.setdefault(_openapi_path(route.rule), {})["get"] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KS læringsnettverk – API",
            "version": "1",
            "description": ("Et API som bare leser, for rapportverktøy. Lag en tilgangsnøkkel på profilsiden "
                            "(Min profil → Tilgangsnøkler) og send den som «Authorization: Bearer <nøkkel>». "
                            "Nøkkelen ser det samme som eieren ser i nettjenesten."),
        },
        # Relative, so it holds on every host the app answers to; the docs page shows the full address.
        "servers": [{"url": framework.bp.url_prefix}],
        "security": [{"bearerAuth": []}],
        "tags": sorted(({"name": tag} for tag in {route.tag for route in routes}), key=lambda tag: tag["name"]),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "En personlig tilgangsnøkkel (ksn_…)."}},
        },
    }
