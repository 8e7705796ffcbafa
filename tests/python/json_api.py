"""The JSON API as a provincial portal calls it: Python with `requests` alone, no gRPC library.

Usage: python3 json_api.py BASE_URL API_KEY  (the e2e scenario `json_api_from_python` runs it
against a test server holding the seed case). Exits non-zero, saying why, on the first surprise.
"""

import sys

import requests

TERM = "clusters/bac-kan-city/terms/2022"


def call(base, key, method, body):
    return requests.post(
        f"{base}/thidua.v1.{method}",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


def main(base, key):
    # A read: the seed's term with its eight members, Vietnamese names intact.
    r = call(base, key, "ClusterService/GetTerm", {"name": TERM})
    assert r.status_code == 200, r.text
    members = [m["displayName"] for m in r.json()["term"]["members"]]
    assert len(members) == 8 and "Phùng Chí Kiên" in members, members

    # The scoreboard, ranked; 64-bit integers and decimals arrive as strings.
    r = call(base, key, "ScoringService/GetScoreboard", {"term": TERM})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows), rows
    assert all(isinstance(row["total"]["value"], str) for row in rows), rows

    # A write, then the error a portal must handle: the same term again.
    r = call(base, key, "ScoringService/SubmitResult", {
        "term": TERM,
        "result": {"unit": "units/qd124-2004~01846", "criterionCode": "I.2", "value": {"value": "130"}},
    })
    assert r.status_code == 200, r.text
    assert r.json()["result"]["value"]["value"] == "130", r.text

    # Errors: a Connect error with the gRPC details, the HTTP status of its code.
    r = call(base, key, "ClusterService/GetTerm", {"name": "clusters/khong-co/terms/2022"})
    assert r.status_code == 404, r.status_code
    error = r.json()
    assert error["code"] == "not_found", error
    reasons = [d["debug"]["reason"] for d in error["details"] if d["type"] == "google.rpc.ErrorInfo"]
    assert reasons == ["NOT_FOUND"], error
    r = call(base, key, "ClusterService/GetTerm", {"name": 2022})
    assert r.status_code == 400, r.status_code
    violations = [d for d in r.json()["details"] if d["type"] == "google.rpc.BadRequest"]
    assert violations[0]["debug"]["fieldViolations"][0]["field"] == "name", r.text
    r = requests.post(f"{base}/thidua.v1.ClusterService/GetTerm", json={"name": TERM}, timeout=30)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated", r.text

    # The document describing all of it.
    r = requests.get(f"{base}/openapi.json", timeout=30)
    assert r.status_code == 200 and r.json()["openapi"].startswith("3.1"), r.text
    print("json api from python: ok")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
