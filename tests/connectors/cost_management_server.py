"""A local HTTP server for the Cost Management exports API (management plane), replaying
responses in the shape the REST reference documents for api-version 2025-03-01
(Exports - List with $expand=runHistory, Exports - Get Execution History, Exports - Execute).

No local emulator of Azure Resource Manager exists, so this is the one stand-in in the
connector tests; the SDK client, its pipeline (auth header, retries, deserialisation) and
the blob downloads (Azurite) are all real. Runs are built from the manifests the sample
exports carry, so the run history and the delivered blobs agree as they do in Azure.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

READER_TOKEN = "reader-token"


@dataclass
class ExportSpec:
    name: str
    account: str
    container: str
    root: str
    runs: list[dict[str, Any]] = field(default_factory=list)


def run_from_manifest(
    manifest: dict, manifest_blob: str, container: str, status: str = "Completed"
) -> dict:
    info = manifest["runInfo"]
    return {
        "name": info["runId"],
        "type": "Microsoft.CostManagement/reports/Run",
        "properties": {
            "executionType": info.get("executionType", "Scheduled"),
            "status": status,
            "submittedBy": "System",
            "submittedTime": info["submittedTime"],
            "processingStartTime": info["submittedTime"],
            "processingEndTime": info["submittedTime"],
            "startDate": info["startDate"],
            "endDate": info["endDate"],
            "fileName": manifest["blobs"][0]["blobName"],
            "manifestFile": f"{container}/{manifest_blob}",
        },
    }


def runs_from_tree(folder: Path, container: str) -> list[dict]:
    runs = []
    for path in sorted(folder.rglob("manifest.json")):
        manifest = json.loads(path.read_text())
        runs.append(run_from_manifest(manifest, path.relative_to(folder).as_posix(), container))
    return runs


class CostManagementServer:
    def __init__(self, scope: str, exports: list[ExportSpec]) -> None:
        self.scope = scope.strip("/")
        self.exports = exports
        self.executed: list[str] = []
        app = Flask("cost-management-replay")
        app.add_url_rule("/<path:path>", view_func=self._handle, methods=["GET", "POST"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()

    def _handle(self, path: str) -> Response:
        if request.headers.get("Authorization") != f"Bearer {READER_TOKEN}":
            return _json(403, {"error": {"code": "AuthorizationFailed", "message": (
                "The client does not have authorization to perform action "
                f"'Microsoft.CostManagement/exports/read' over scope '/{self.scope}'.")}})  # fmt: skip
        prefix = f"{self.scope}/providers/Microsoft.CostManagement/exports"
        path = path.strip("/")
        if not path.startswith(prefix):
            return _json(404, {"error": {"code": "NotFound", "message": path}})
        rest = path[len(prefix) :].strip("/").split("/")
        if rest == [""]:
            return _json(200, {"value": [self._export(e) for e in self.exports]})
        spec = next((e for e in self.exports if e.name == rest[0]), None)
        if spec is None:
            return _json(404, {"error": {"code": "NotFound", "message": rest[0]}})
        if rest[1:] == ["runHistory"]:
            return _json(200, {"value": [self._run(spec, r) for r in spec.runs]})
        if rest[1:] == ["run"] and request.method == "POST":
            self.executed.append(spec.name)
            return Response(status=200)
        return _json(404, {"error": {"code": "NotFound", "message": path}})

    def _export(self, spec: ExportSpec) -> dict:
        return {
            "id": f"/{self.scope}/providers/Microsoft.CostManagement/exports/{spec.name}",
            "name": spec.name,
            "type": "Microsoft.CostManagement/exports",
            "eTag": '"1d4ff9fe66f1d10"',
            "properties": {
                "format": "Csv",
                "deliveryInfo": {"destination": {
                    "type": "AzureBlob",
                    "resourceId": f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/finops/providers/Microsoft.Storage/storageAccounts/{spec.account}",
                    "container": spec.container,
                    "rootFolderPath": spec.root,
                }},
                "definition": {"type": "FocusCost", "timeframe": "MonthToDate",
                               "dataSet": {"granularity": "Daily"}},
                "partitionData": True,
                "dataOverwriteBehavior": "CreateNewReport",
                "compressionMode": "None",
                "runHistory": {"value": [self._run(spec, r) for r in spec.runs[-1:]]},
            },
        }  # fmt: skip

    def _run(self, spec: ExportSpec, run: dict) -> dict:
        return {
            "id": f"/{self.scope}/providers/Microsoft.CostManagement/exports/{spec.name}/Run/{run['name']}",
            **run,
        }


def _json(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
