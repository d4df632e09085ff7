/// The API's OpenAPI 3.1 document (H1), written by hand — no generator build plugin, to keep
/// builds fast (docs/API.md). Served at `/openapi.json`; tests check that every route is in it
/// and schemathesis checks the server against it.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "quickup API",
  "version": "1",
  "description": "The HTTP API of `quickup serve` for CI/CD pipelines (SPEC H1, H2): the same operations and guarantees as the CLI. Hand-written and checked by the test suite and by schemathesis (docs/API.md)."
 },
 "servers": [
  {
   "url": "http://127.0.0.1:8770"
  }
 ],
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/v1/healthz": {
   "get": {
    "operationId": "health",
    "summary": "Liveness; needs no token.",
    "security": [],
    "responses": {
     "200": {
      "description": "The server answers.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      }
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     }
    }
   }
  },
  "/v1/readyz": {
   "get": {
    "operationId": "readiness",
    "summary": "Ready to take work (503 while shutting down).",
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "503": {
      "$ref": "#/components/responses/ShuttingDown"
     },
     "200": {
      "description": "Ready.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Readiness"
        }
       }
      }
     }
    }
   }
  },
  "/v1/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics: runs by status, task durations, tasks in flight, assessments, HTTP requests.",
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "200": {
      "description": "Prometheus text format.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "summary": "This document.",
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "200": {
      "description": "OpenAPI 3.1.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  },
  "/v1/releases": {
   "get": {
    "operationId": "listReleases",
    "summary": "The releases uploaded, newest first.",
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "200": {
      "description": "The releases.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReleaseList"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "uploadRelease",
    "summary": "Upload a release zip from `quickup pack`; checked as `--release` checks a zip (manifest, checksums, zip-slip, expansion limits).",
    "requestBody": {
     "$ref": "#/components/requestBodies/Zip"
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "201": {
      "description": "Kept.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReleaseEntry"
        }
       }
      }
     }
    }
   }
  },
  "/v1/releases/{id}/plugins": {
   "post": {
    "operationId": "uploadPlugin",
    "summary": "Upload a plugin: a zip from `quickup pack` of a folder holding one or more component folders (<component>/component.yaml …). Checked as a release zip is; its components replace the base release's of the same name or join them, and the result is validated and kept as a new release. The base release is not changed.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The base release's id as `GET /v1/releases` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9a-f]{16}$"
      }
     }
    ],
    "requestBody": {
     "$ref": "#/components/requestBodies/Zip"
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "201": {
      "description": "The new release, kept.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PluginResult"
        }
       }
      }
     }
    }
   }
  },
  "/v1/plans": {
   "post": {
    "operationId": "plan",
    "summary": "The plan, as `quickup plan --json` prints it.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UpgradeRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "200": {
      "description": "The plan.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Plan"
        }
       }
      }
     }
    }
   }
  },
  "/v1/assessments": {
   "post": {
    "operationId": "assess",
    "summary": "Assess before upgrading; the report of `quickup assess --json`.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UpgradeRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "200": {
      "description": "The report (PASS, WARN or FAIL inside).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AssessmentReport"
        }
       }
      },
      "headers": {
       "Quickup-Assessment": {
        "description": "The verdict: PASS, WARN, FAIL or SKIPPED.",
        "schema": {
         "type": "string",
         "enum": [
          "PASS",
          "WARN",
          "FAIL",
          "SKIPPED"
         ]
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs": {
   "get": {
    "operationId": "listRuns",
    "summary": "Runs in the state journal, newest first (CLI runs too).",
    "parameters": [
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 1000
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "200": {
      "description": "The runs.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RunList"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "startRun",
    "summary": "Start a run of one stage (or all), optionally of one service; 202 with the run id. A dry run answers 200 with what would run.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RunRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "503": {
      "$ref": "#/components/responses/ShuttingDown"
     },
     "202": {
      "$ref": "#/components/responses/Started"
     },
     "200": {
      "description": "Dry run: what would run.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DryRun"
        }
       }
      }
     }
    }
   }
  },
  "/v1/upgrades": {
   "post": {
    "operationId": "startUpgrade",
    "summary": "Start the whole upgrade of a site (`quickup upgrade`, F1): precheck, backup, transfer, formal upgrade, post-checks; 202 with the run id. Without `yes` it pauses at the manual verification gate (status awaiting_verification, its event stream ends): `POST /v1/runs/{id}/verification` continues it. 409 names the holder when the site is locked, or names the upgrade of the site paused at its verification gate and its two ways on (continue it, or roll it back).",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UpgradeStartRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "503": {
      "$ref": "#/components/responses/ShuttingDown"
     },
     "202": {
      "$ref": "#/components/responses/Started"
     }
    }
   }
  },
  "/v1/runs/{id}": {
   "get": {
    "operationId": "runStatus",
    "summary": "A run, with its task attempts and events unless view=summary.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     },
     {
      "name": "view",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "full",
        "summary"
       ]
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "200": {
      "description": "The run.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RunView"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/events": {
   "get": {
    "operationId": "runEvents",
    "summary": "Progress as server-sent events (task start/end, stage end, estimates, run end); `id:` is the line of detail.jsonl, send it back as Last-Event-ID to resume.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     },
     {
      "name": "after",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 2147483647
      }
     },
     {
      "name": "Last-Event-ID",
      "in": "header",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,9}$"
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "200": {
      "description": "The event stream; it ends after the run's `run_end` event.",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/cancel": {
   "post": {
    "operationId": "cancelRun",
    "summary": "Cancel a running run like Ctrl-C: statements killed, recorded cancelled, resumable. A CLI run on this host is sent SIGINT.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "202": {
      "description": "Being cancelled.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Answer"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/resume": {
   "post": {
    "operationId": "resumeRun",
    "summary": "Continue a failed, cancelled or interrupted run at its first task not successful; 202 with the new run id.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ResumeRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "503": {
      "$ref": "#/components/responses/ShuttingDown"
     },
     "202": {
      "description": "Resumed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Accepted"
        }
       }
      }
     },
     "200": {
      "description": "The run succeeded: nothing to resume.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Accepted"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/verification": {
   "post": {
    "operationId": "verificationGate",
    "summary": "Answer the manual verification gate of a whole upgrade paused at it (status awaiting_verification): `continue` resumes it past the gate under its own id (202, as `quickup upgrade --resume RUN --verified`); `abort` records it cancelled (200; roll it back with `POST /v1/runs/{id}/rollback`). Any other run answers 409 not_awaiting_verification; a second decision while one is being carried out answers 409 locked naming it.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/VerificationRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "200": {
      "description": "abort: the upgrade is recorded cancelled at the gate.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Answer"
        }
       }
      }
     },
     "202": {
      "description": "continue: the upgrade resumes past the gate; follow it at its events.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Accepted"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/rollback": {
   "post": {
    "operationId": "rollbackRun",
    "summary": "Undo what the run applied (each SQL task's .rollback script, newest first); 202 with the rollback's id; a dry run answers 200.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RollbackRequest"
       }
      }
     }
    },
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "409": {
      "$ref": "#/components/responses/Conflict"
     },
     "413": {
      "$ref": "#/components/responses/TooLarge"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "503": {
      "$ref": "#/components/responses/ShuttingDown"
     },
     "202": {
      "description": "Started.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Accepted"
        }
       }
      }
     },
     "200": {
      "description": "Dry run.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DryRun"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/logs": {
   "get": {
    "operationId": "runLogs",
    "summary": "The run's summary log or detail log (JSON lines), in pages.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     },
     {
      "name": "kind",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "summary",
        "detail"
       ]
      }
     },
     {
      "name": "after",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 2147483647
      }
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 5000
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "200": {
      "description": "A page.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LogPage"
        }
       }
      }
     }
    }
   }
  },
  "/v1/runs/{id}/bundle": {
   "get": {
    "operationId": "runBundle",
    "summary": "The support bundle `quickup bundle` writes: logs, journal extract, plan, reports, doctor, env.yaml redacted.",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "A run id as `GET /v1/runs` lists it.",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$"
      }
     },
     {
      "name": "env",
      "in": "query",
      "description": "The site's env.yaml on the server, included with its secrets redacted.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "400": {
      "$ref": "#/components/responses/BadRequest"
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "405": {
      "$ref": "#/components/responses/MethodNotAllowed"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "422": {
      "$ref": "#/components/responses/Failed"
     },
     "200": {
      "description": "The zip.",
      "content": {
       "application/zip": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer",
    "description": "A token whose `sha256:<hex>` line is in the server's --tokens file."
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "code",
     "message"
    ],
    "properties": {
     "code": {
      "type": "string",
      "description": "The CLI's error code (invalid_argument, locked, release_archive_invalid…), or unauthorized, too_large, not_running, not_awaiting_verification, shutting_down, internal."
     },
     "message": {
      "type": "string"
     },
     "hint": {
      "type": "string"
     },
     "file": {
      "type": "string"
     },
     "line": {
      "type": "integer"
     },
     "errors": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Health": {
    "type": "object",
    "required": [
     "status",
     "version"
    ],
    "properties": {
     "status": {
      "const": "ok"
     },
     "version": {
      "type": "string"
     }
    }
   },
   "Readiness": {
    "type": "object",
    "required": [
     "ready",
     "draining",
     "activeRuns",
     "tokens"
    ],
    "properties": {
     "ready": {
      "type": "boolean"
     },
     "draining": {
      "type": "boolean"
     },
     "activeRuns": {
      "type": "integer"
     },
     "tokens": {
      "type": "integer"
     }
    }
   },
   "ReleaseEntry": {
    "type": "object",
    "required": [
     "id",
     "name",
     "versions",
     "sha256",
     "bytes",
     "uploadedAt"
    ],
    "properties": {
     "id": {
      "type": "string",
      "pattern": "^[0-9a-f]{16}$"
     },
     "name": {
      "type": "string"
     },
     "versions": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "sha256": {
      "type": "string"
     },
     "bytes": {
      "type": "integer"
     },
     "uploadedAt": {
      "type": "integer"
     }
    }
   },
   "ReleaseList": {
    "type": "object",
    "required": [
     "releases"
    ],
    "properties": {
     "releases": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ReleaseEntry"
      }
     }
    }
   },
   "PluginResult": {
    "type": "object",
    "required": [
     "release",
     "base",
     "components",
     "replaced"
    ],
    "properties": {
     "release": {
      "$ref": "#/components/schemas/ReleaseEntry"
     },
     "base": {
      "type": "string",
      "pattern": "^[0-9a-f]{16}$"
     },
     "components": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "replaced": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "UpgradeRequest": {
    "type": "object",
    "required": [
     "release",
     "from",
     "to"
    ],
    "properties": {
     "release": {
      "type": "string",
      "description": "Release id from POST /v1/releases."
     },
     "env": {
      "type": "string",
      "description": "Path of the site's env.yaml on the server (required for assessments)."
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "service": {
      "type": "string",
      "description": "Only this component's tasks."
     }
    }
   },
   "RunRequest": {
    "type": "object",
    "required": [
     "release",
     "env",
     "from",
     "to"
    ],
    "properties": {
     "release": {
      "type": "string"
     },
     "env": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "service": {
      "type": "string"
     },
     "stage": {
      "type": "string",
      "description": "pre_stop, in_stop, post_start, post_upgrade or all (default)."
     },
     "dryRun": {
      "type": "boolean"
     },
     "confirmRerun": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "acceptChanged": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "UpgradeStartRequest": {
    "type": "object",
    "required": [
     "release",
     "env",
     "from",
     "to"
    ],
    "properties": {
     "release": {
      "type": "string"
     },
     "env": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "mode": {
      "type": "string",
      "enum": [
       "auto",
       "rolling",
       "stop-the-world"
      ],
      "description": "auto (default): rolling when the assessment says compatible."
     },
     "yes": {
      "type": "boolean",
      "description": "Skip the verification gate and accept assessment warnings (the CLI's --yes)."
     },
     "acceptWarnings": {
      "type": "boolean",
      "description": "Accept assessment warnings; the gate still pauses."
     }
    }
   },
   "ResumeRequest": {
    "type": "object",
    "required": [
     "release",
     "env"
    ],
    "properties": {
     "release": {
      "type": "string"
     },
     "env": {
      "type": "string"
     },
     "confirmRerun": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "acceptChanged": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "RollbackRequest": {
    "type": "object",
    "required": [
     "release",
     "env"
    ],
    "properties": {
     "release": {
      "type": "string"
     },
     "env": {
      "type": "string"
     },
     "dryRun": {
      "type": "boolean"
     },
     "undoneByHand": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "confirmRerun": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "VerificationRequest": {
    "type": "object",
    "required": [
     "decision"
    ],
    "properties": {
     "decision": {
      "type": "string",
      "enum": [
       "continue",
       "abort"
      ]
     },
     "note": {
      "type": "string"
     },
     "release": {
      "type": "string",
      "description": "continue: the release store id to resume with; default the one the upgrade was started with through this server."
     },
     "env": {
      "type": "string",
      "description": "continue: the env.yaml path to resume with; default the one the upgrade was started with through this server."
     }
    }
   },
   "Accepted": {
    "type": "object",
    "required": [
     "runId",
     "status",
     "links"
    ],
    "properties": {
     "runId": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "resumes": {
      "type": "string"
     },
     "rollsBack": {
      "type": "string"
     },
     "links": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     }
    }
   },
   "Answer": {
    "type": "object",
    "required": [
     "runId",
     "status",
     "message"
    ],
    "properties": {
     "runId": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "message": {
      "type": "string"
     }
    }
   },
   "RunStatus": {
    "type": "string",
    "enum": [
     "running",
     "succeeded",
     "failed",
     "cancelled",
     "interrupted"
    ]
   },
   "RunRecord": {
    "type": "object",
    "required": [
     "id",
     "release",
     "from",
     "to",
     "stage",
     "status",
     "startedAt",
     "host",
     "pid"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "release": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "stage": {
      "type": "string"
     },
     "status": {
      "$ref": "#/components/schemas/RunStatus"
     },
     "startedAt": {
      "type": "integer"
     },
     "endedAt": {
      "type": "integer"
     },
     "host": {
      "type": "string"
     },
     "pid": {
      "type": "integer"
     },
     "processStart": {
      "type": "string"
     },
     "message": {
      "type": "string"
     },
     "parent": {
      "type": "string"
     }
    }
   },
   "AttemptRecord": {
    "type": "object",
    "required": [
     "runID",
     "taskKey",
     "component",
     "version",
     "kind",
     "stage",
     "attempt",
     "status",
     "startedAt"
    ],
    "properties": {
     "runID": {
      "type": "string"
     },
     "taskKey": {
      "type": "string"
     },
     "component": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "stage": {
      "type": "string"
     },
     "datasource": {
      "type": "string"
     },
     "attempt": {
      "type": "integer"
     },
     "status": {
      "type": "string"
     },
     "checksum": {
      "type": "string"
     },
     "startedAt": {
      "type": "integer"
     },
     "endedAt": {
      "type": "integer"
     },
     "durationMs": {
      "type": "integer"
     },
     "error": {
      "type": "string"
     }
    }
   },
   "EventRecord": {
    "type": "object",
    "required": [
     "runID",
     "at",
     "level",
     "kind",
     "message"
    ],
    "properties": {
     "runID": {
      "type": "string"
     },
     "at": {
      "type": "integer"
     },
     "level": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "taskKey": {
      "type": "string"
     },
     "message": {
      "type": "string"
     }
    }
   },
   "RunView": {
    "type": "object",
    "required": [
     "run",
     "active"
    ],
    "properties": {
     "run": {
      "$ref": "#/components/schemas/RunRecord"
     },
     "active": {
      "type": "boolean",
      "description": "Whether this server runs it."
     },
     "attempts": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/AttemptRecord"
      }
     },
     "events": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/EventRecord"
      }
     }
    }
   },
   "RunList": {
    "type": "object",
    "required": [
     "runs"
    ],
    "properties": {
     "runs": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/RunRecord"
      }
     }
    }
   },
   "TaskOutcome": {
    "type": "object",
    "required": [
     "task",
     "component",
     "version",
     "stage",
     "kind",
     "status"
    ],
    "properties": {
     "task": {
      "type": "string"
     },
     "component": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "stage": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "durationMs": {
      "type": "integer"
     },
     "error": {
      "type": "string"
     }
    }
   },
   "RunSummary": {
    "type": "object",
    "required": [
     "command",
     "runId",
     "status",
     "dryRun",
     "counts",
     "durationMs",
     "stages",
     "tasks"
    ],
    "properties": {
     "command": {
      "type": "string"
     },
     "runId": {
      "type": "string"
     },
     "status": {
      "$ref": "#/components/schemas/RunStatus"
     },
     "dryRun": {
      "type": "boolean"
     },
     "counts": {
      "type": "object",
      "required": [
       "succeeded",
       "skipped",
       "failed"
      ],
      "properties": {
       "succeeded": {
        "type": "integer"
       },
       "skipped": {
        "type": "integer"
       },
       "failed": {
        "type": "integer"
       }
      }
     },
     "durationMs": {
      "type": "integer"
     },
     "stages": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "stage",
        "durationMs"
       ],
       "properties": {
        "stage": {
         "type": "string"
        },
        "durationMs": {
         "type": "integer"
        }
       }
      }
     },
     "tasks": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/TaskOutcome"
      }
     },
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       },
       "file": {
        "type": "string"
       },
       "line": {
        "type": "integer"
       },
       "hint": {
        "type": "string"
       }
      }
     },
     "next": {
      "type": "string"
     },
     "logs": {
      "type": "string"
     }
    }
   },
   "DryRun": {
    "type": "object",
    "required": [
     "summary",
     "lines"
    ],
    "properties": {
     "summary": {
      "$ref": "#/components/schemas/RunSummary"
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    }
   },
   "LogPage": {
    "type": "object",
    "required": [
     "runId",
     "kind",
     "lines"
    ],
    "properties": {
     "runId": {
      "type": "string"
     },
     "kind": {
      "type": "string",
      "enum": [
       "summary",
       "detail"
      ]
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "n",
        "text"
       ],
       "properties": {
        "n": {
         "type": "integer"
        },
        "text": {
         "type": "string"
        }
       }
      }
     },
     "next": {
      "type": "integer"
     }
    }
   },
   "Plan": {
    "type": "object",
    "description": "The plan document of `quickup plan --json` (docs/FORMATS.md).",
    "required": [
     "release",
     "from",
     "to",
     "stages"
    ],
    "properties": {
     "release": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "stages": {
      "type": "array"
     }
    }
   },
   "AssessmentReport": {
    "type": "object",
    "description": "The report of `quickup assess --json` (docs/ASSESSMENT.md).",
    "required": [
     "schema",
     "release",
     "from",
     "to",
     "status",
     "checks"
    ],
    "properties": {
     "schema": {
      "const": "quickup-assessment/1"
     },
     "release": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "site": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "PASS",
       "WARN",
       "FAIL",
       "SKIPPED"
      ]
     },
     "checks": {
      "type": "array"
     }
    }
   }
  },
  "requestBodies": {
   "Zip": {
    "required": true,
    "description": "A zip written by `quickup pack` (any Content-Type; application/zip or application/octet-stream).",
    "content": {
     "application/octet-stream": {
      "schema": {
       "type": "string",
       "format": "binary"
      }
     }
    }
   }
  },
  "responses": {
   "BadRequest": {
    "description": "Invalid input: the body, a parameter, the release or env.yaml (code, message, hint; file and line when a file is at fault).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Conflict": {
    "description": "Conflict: the site is locked by another run (the holder is named), the run is not running, or the run is not waiting at a verification gate.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Failed": {
    "description": "The operation failed (a quickup error that is not invalid input).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "MethodNotAllowed": {
    "description": "The path exists but not with this method.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "NotFound": {
    "description": "No such run or release, or a file named in the request does not exist.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "ShuttingDown": {
    "description": "The server is shutting down and takes no new work.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Started": {
    "description": "Started and recorded.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Accepted"
      }
     }
    }
   },
   "TooLarge": {
    "description": "The request body is larger than the server's limit.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Unauthorized": {
    "description": "No valid bearer token.",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 }
}
"""#
}
