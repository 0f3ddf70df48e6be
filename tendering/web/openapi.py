"""The OpenAPI 3.1 description of the reporting API, served at /api/v1/openapi.json.

Kept beside the views it describes (`views/api.py`); the tests validate it
against the OpenAPI specification and call every path it lists.
"""

_ERROR = {"$ref": "#/components/schemas/Error"}
_JSON = "application/json"


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


_ERRORS = {
    "400": _response(
        "The request is invalid (not JSON, a value out of range, a character that is not allowed); nothing was stored.",
        _ERROR,
    ),
    "401": _response("No valid, unrevoked token.", _ERROR),
    "403": _response("The token's coalition may not do this (for example: reporting has closed).", _ERROR),
    "404": _response("Not an indicator of this coalition's agreement.", _ERROR),
    "409": _response(
        "Another value for the same indicator and period was stored at the same moment; "
        "nothing was stored. Read the history and try again.",
        _ERROR,
    ),
    "413": _response("The request body is too large.", _ERROR),
    "default": _response("Any other error (405 with an `Allow` header, 429, 500): always this shape.", _ERROR),
}


def _errors(*statuses: str) -> dict:
    """The documented error responses of an operation; every one has the `Error` shape."""
    return {status: _ERRORS[status] for status in (*statuses, "default")}


SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Tendering reporting API",
        "version": "1.0.0",
        "description": "Coalitions report their agreed outcome indicators. A token acts for one coalition; "
        "create and revoke tokens on the coalition's indicator page. A correction of a period's value "
        "needs a `correction_reason`; the earlier value stays in the history.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/indicators": {
            "get": {
                "operationId": "listIndicators",
                "summary": "The coalition's agreed indicators with their status and reportable periods",
                "responses": {
                    "200": _response(
                        "The indicators.",
                        {
                            "type": "object",
                            "required": ["indicators"],
                            "properties": {
                                "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}}
                            },
                        },
                    ),
                    **_errors("401", "403"),
                },
            }
        },
        "/indicators/{indicator_id}/measurements": {
            "parameters": [
                {
                    "name": "indicator_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                }
            ],
            "get": {
                "operationId": "listMeasurements",
                "summary": "Every value given for an indicator, corrections included",
                "responses": {
                    "200": _response(
                        "The history, newest period first.",
                        {
                            "type": "object",
                            "required": ["measurements"],
                            "properties": {
                                "measurements": {"type": "array", "items": {"$ref": "#/components/schemas/Measurement"}}
                            },
                        },
                    ),
                    **_errors("400", "401", "403", "404"),
                },
            },
            "post": {
                "operationId": "reportMeasurement",
                "summary": "Report (or correct) the value of one period",
                "requestBody": {
                    "required": True,
                    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/NewMeasurement"}}},
                },
                "responses": {
                    "201": _response("Stored.", {"$ref": "#/components/schemas/Measurement"}),
                    **_errors("400", "401", "403", "404", "409", "413"),
                },
            },
        },
        "/measurements": {
            "post": {
                "operationId": "reportMany",
                "summary": "Many values at once: all are stored, or none",
                "requestBody": {
                    "required": True,
                    "content": {
                        _JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["measurements"],
                                "properties": {
                                    "measurements": {
                                        "type": "array",
                                        "items": {
                                            "allOf": [{"$ref": "#/components/schemas/NewMeasurement"}],
                                            "type": "object",
                                            "required": ["indicator"],
                                            "properties": {
                                                "indicator": {
                                                    "type": ["integer", "string"],
                                                    "description": "Id or exact name.",
                                                }
                                            },
                                        },
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _response(
                        "All stored.",
                        {"type": "object", "required": ["imported"], "properties": {"imported": {"type": "integer"}}},
                    ),
                    **_errors("400", "401", "403", "409", "413"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {"type": "string"},
                    "problems": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "row": {"type": "integer", "description": "Position in the list, from 1."},
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "Indicator": {
                "type": "object",
                "required": ["id", "name", "direction", "frequency", "baseline", "target", "status", "periods"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "unit": {"type": "string"},
                    "direction": {"enum": ["higher_is_better", "lower_is_better"]},
                    "frequency": {"enum": ["monthly", "quarterly", "half_yearly", "yearly"]},
                    "baseline": {"$ref": "#/components/schemas/Point"},
                    "target": {"$ref": "#/components/schemas/Point"},
                    "latest": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "properties": {
                                    "value": {"type": "number"},
                                    "period": {"type": "string", "format": "date"},
                                },
                            },
                        ]
                    },
                    "status": {"enum": ["on_track", "at_risk", "off_track", "no_data", "overdue"]},
                    "next_due_on": {"type": ["string", "null"], "format": "date"},
                    "periods": {
                        "type": "array",
                        "items": {"type": "string", "format": "date"},
                        "description": "Start dates of the periods that have started: the valid `period` values.",
                    },
                },
            },
            "Point": {
                "type": "object",
                "properties": {"value": {"type": "number"}, "date": {"type": "string", "format": "date"}},
            },
            "NewMeasurement": {
                "type": "object",
                "required": ["period", "value"],
                "properties": {
                    "period": {"type": "string", "format": "date", "description": "Start date of the period."},
                    "value": {"type": "number"},
                    "source": {"type": "string"},
                    "note": {"type": "string"},
                    "correction_reason": {
                        "type": "string",
                        "description": "Required when the period already has a value.",
                    },
                },
            },
            "Measurement": {
                "type": "object",
                "required": ["id", "period", "value", "reported_at", "in_force"],
                "properties": {
                    "id": {"type": "integer"},
                    "period": {"type": "string", "format": "date"},
                    "value": {"type": "number"},
                    "source": {"type": "string"},
                    "note": {"type": "string"},
                    "reported_at": {"type": "string", "format": "date-time"},
                    "in_force": {"type": "boolean"},
                    "supersedes": {"type": ["integer", "null"]},
                    "correction_reason": {"type": "string"},
                },
            },
        },
    },
}
