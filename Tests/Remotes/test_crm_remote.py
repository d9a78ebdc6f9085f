#!/usr/bin/env python3
"""Self-test for crm_remote.py (stdlib only).

    python3 Tests/Remotes/test_crm_remote.py            # functional tests, ~5-10 s
    python3 Tests/Remotes/test_crm_remote.py --bench    # + keep-alive GET throughput, 8 threads

Starts each flavour as a subprocess on an ephemeral port, drives it over real HTTP
with http.client and exits non-zero if any check fails.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "crm_remote.py")

FAILURES: list[str] = []
CHECKS = 0


def check(cond, msg):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILURES.append(msg)
        print(f"  FAIL: {msg}", flush=True)
    return cond


class Remote:
    def __init__(self, flavor, *extra, env=None):
        e = dict(os.environ)
        for k in ("CRM_API_TOKEN", "HUBSPOT_TOKEN", "CIN7_ACCOUNT_ID", "CIN7_APPLICATION_KEY"):
            e.pop(k, None)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, SCRIPT, "--flavor", flavor, "--port", "0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if not ready:
            self.proc.kill()
            raise RuntimeError(f"{flavor}: no LISTENING line within 10 s")
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("LISTENING "):
            self.proc.kill()
            raise RuntimeError(f"{flavor}: unexpected first line {line!r}: "
                               f"{self.proc.stderr.read().decode()}")
        self.port = int(line.split()[1])

    def close(self):
        self.proc.kill()
        self.proc.wait()
        rest = self.proc.stdout.read()
        check(rest == b"", f"nothing but LISTENING on stdout (got {rest[:200]!r})")


class Client:
    def __init__(self, port, headers=None, timeout=5.0):
        self.port = port
        self.base_headers = dict(headers or {})
        self.timeout = timeout
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def raw(self, method, path, body=None, headers=None):
        h = dict(self.base_headers)
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn = self._conn()
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            if r.will_close:
                self.reset()
            return r.status, hdrs, data
        except Exception:
            self.reset()
            raise

    def req(self, method, path, body=None, headers=None):
        st, h, data = self.raw(method, path, body, headers)
        try:
            js = json.loads(data) if data else None
        except json.JSONDecodeError:
            js = None
        return st, h, js

    def reset(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def ctl(port):
    return Client(port)


# ---------------------------------------------------------------------------
# generic
# ---------------------------------------------------------------------------

def test_generic():
    print("generic ...", flush=True)
    r = Remote("generic", "--page-max", "50", env={"CRM_API_TOKEN": "sekret"})
    try:
        c = Client(r.port, {"Authorization": "Bearer sekret"})
        cc = ctl(r.port)
        st, h, js = Client(r.port, {"Authorization": "Bearer nope"}).req("GET", "/leads")
        check(st == 401 and js and js.get("error") == "unauthorized", f"bad token -> 401 ({st})")
        check(Client(r.port).req("GET", "/leads")[0] == 401, "missing token -> 401")
        st, _, js = c.req("GET", "/nope")
        check(st == 404 and js is not None, f"unknown route -> 404 json ({st})")
        st, _, js = c.req("POST", "/leads", body=b"{not json")
        check(st == 400 and js is not None, f"bad json -> 400 ({st})")

        # create / get
        lead = {"first_name": "Ann", "last_name": "Lee", "tags": ["a", "b"],
                "address": {"city": "Perth", "country": "AU"}, "custom": {"x": 1},
                "id": "hack", "version": 99, "extra_key": True}
        st, h, js = c.req("POST", "/leads", lead)
        check(st == 201, f"create 201 ({st})")
        check(js["id"] == "ld_000001" and js["version"] == 1, f"server-owned id/version {js}")
        check(js["extra_key"] is True and js["tags"] == ["a", "b"], "stores any keys")
        check(h.get("etag") == '"1"', f"ETag on create {h.get('etag')}")
        check(js["created_at"].endswith("Z") and len(js["created_at"]) == 24, "ms timestamps")
        st, h, got = c.req("GET", "/leads/ld_000001")
        check(st == 200 and got == js and h.get("etag") == '"1"', "get returns record + ETag")
        check(c.req("GET", "/leads/ld_999999")[0] == 404, "get missing 404")

        # patch
        st, _, js = c.req("PATCH", "/leads/ld_000001", {"last_name": "X"})
        check(st == 428, f"patch without If-Match 428 ({st})")
        st, h, js = c.req("PATCH", "/leads/ld_000001", {"last_name": "X"}, {"If-Match": '"7"'})
        check(st == 412 and js.get("current_version") == 1, f"stale If-Match 412 ({st})")
        st, h, js = c.req("PATCH", "/leads/ld_000001",
                          {"last_name": "X", "address": {"city": "Bunbury"}}, {"If-Match": '"1"'})
        check(st == 200 and js["version"] == 2 and js["last_name"] == "X"
              and js["address"] == {"city": "Bunbury"} and js["first_name"] == "Ann"
              and h.get("etag") == '"2"', f"patch merges top-level / replaces objects {js}")
        check(js["updated_at"] >= js["created_at"], "updated_at bumped")
        st, _, _ = c.req("PATCH", "/leads/ld_000001", {"notes": "n"}, {"If-Match": 'W/"2"'})
        check(st == 200, f"weak If-Match accepted ({st})")

        # delete
        st, _, _ = c.req("DELETE", "/leads/ld_000001", headers={"If-Match": '"1"'})
        check(st == 412, f"stale delete 412 ({st})")
        check(c.req("DELETE", "/leads/ld_000001")[0] == 428, "delete without If-Match 428")
        st, h, body = c.raw("DELETE", "/leads/ld_000001", headers={"If-Match": '"3"'})
        check(st == 204 and body == b"", f"delete 204 ({st})")
        check(c.req("GET", "/leads/ld_000001")[0] == 404, "deleted -> 404")
        st, _, js = c.req("GET", "/leads")
        check(st == 200 and js["data"] == [] and js["next_cursor"] is None, "list hides deleted")
        st, _, js = c.req("GET", "/leads?include_deleted=true")
        check(len(js["data"]) == 1 and js["data"][0]["deleted"] is True
              and js["data"][0]["version"] == 4, f"include_deleted shows tombstone {js}")

        # idempotency
        body = {"first_name": "Idem"}
        s1, _, a = c.req("POST", "/leads", body, {"Idempotency-Key": "k-1"})
        s2, h2, b = c.req("POST", "/leads", body, {"Idempotency-Key": "k-1"})
        check(s1 == 201 and s2 in (200, 201) and a["id"] == b["id"], "same key -> same record")
        check(h2.get("idempotent-replayed") == "true", "replay header")
        s3, _, _ = c.req("POST", "/leads", {"first_name": "Other"}, {"Idempotency-Key": "k-1"})
        check(s3 == 422, f"same key other body -> 422 ({s3})")
        _, _, st_ = cc.req("GET", "/_control/stats")
        check(st_["creates"] == 2, f"creates counted once per key ({st_['creates']})")

        # control: reset, clock, insert, pagination with equal timestamps
        check(cc.req("POST", "/_control/reset")[0] == 200, "reset")
        check(cc.req("GET", "/_control/records/leads")[2]["data"] == [], "reset clears records")
        cc.req("POST", "/_control/clock", {"now": "2026-01-01T00:00:00Z"})
        for i in range(25):
            c.req("POST", "/leads", {"first_name": f"n{i}"})
        seen, cursor, pages = [], None, 0
        while True:
            path = "/leads?limit=10" + (f"&cursor={cursor}" if cursor else "")
            st, _, js = c.req("GET", path)
            pages += 1
            seen += [x["id"] for x in js["data"]]
            check(all(x["updated_at"] == "2026-01-01T00:00:00.000Z" for x in js["data"]),
                  "frozen clock timestamps")
            cursor = js["next_cursor"]
            if not cursor or pages > 10:
                break
        check(pages == 3 and len(seen) == 25 and seen == sorted(seen) and len(set(seen)) == 25,
              f"cursor pagination over equal timestamps ({pages} pages, {len(seen)} ids)")
        check(c.req("GET", "/leads?cursor=%%%")[0] == 400, "bad cursor 400")
        check(c.req("GET", "/leads?limit=abc")[0] == 400, "bad limit 400")
        st, _, js = c.req("GET", "/leads?limit=5000")
        check(len(js["data"]) == 25, "limit clamped to page max (50)")

        # incremental
        cc.req("POST", "/_control/clock", {"now": "2026-01-02T00:00:00.500Z"})
        st, _, rec = cc.req("PATCH", "/_control/records/leads/ld_000007", {"status": "hot"})
        check(st == 200 and rec["version"] == 2 and rec["updated_at"] == "2026-01-02T00:00:00.500Z",
              f"control patch bumps version/updated_at {rec}")
        cc.req("DELETE", "/_control/records/leads/ld_000008")
        st, _, js = c.req("GET", "/leads?updated_since=2026-01-02T00:00:00.500Z")
        check([x["id"] for x in js["data"]] == ["ld_000007"], f"updated_since inclusive {js}")
        st, _, js = c.req("GET", "/leads?updated_since=2026-01-02T00:00:00.500Z&include_deleted=true")
        check([x["id"] for x in js["data"]] == ["ld_000007", "ld_000008"],
              "incremental with tombstones")
        st, _, js = c.req("GET", "/leads?updated_since=2026-01-02T00:00:00.5001Z")
        check(js["data"] == [], "sub-ms updated_since precise")
        st, _, js = cc.req("POST", "/_control/records/opportunities", {"data": [
            {"name": "A", "amount": 10.5, "updated_at": "2025-05-05T05:05:05Z"},
            {"id": "op_custom", "name": "B", "updated_at": "2025-05-05T05:05:05Z"}]})
        check(st == 200 and js["data"][0]["id"] == "op_000001"
              and js["data"][0]["updated_at"] == "2025-05-05T05:05:05.000Z"
              and js["data"][1]["id"] == "op_custom", f"control insert {js}")
        cc.req("POST", "/_control/clock", {"now": None})

        # rate limit
        cc.req("POST", "/_control/reset")
        cc.req("POST", "/_control/rate_limit", {"limit": 5, "window": 1})
        codes, retry = [], None
        for _ in range(8):
            st, h, _ = c.req("GET", "/leads")
            codes.append(st)
            if st == 429:
                retry = h.get("retry-after")
        check(codes.count(200) == 5 and codes.count(429) == 3, f"rate limit 5/1 {codes}")
        check(retry is not None and int(retry) >= 1, f"Retry-After integer >= 1 ({retry})")
        _, _, st_ = cc.req("GET", "/_control/stats")
        check(st_["throttled"] == 3 and st_["max_in_window"] == 5 and st_["requests"] == 8,
              f"throttle stats {st_}")
        check(cc.req("GET", "/_control/stats")[0] == 200, "control not rate limited")
        time.sleep(1.05)
        check(c.req("GET", "/leads")[0] == 200, "slot frees after window")
        cc.req("POST", "/_control/rate_limit", {"limit": None})

        # faults
        cc.req("POST", "/_control/reset")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["drop_after"],
                                            "max_faults": 1, "only_methods": ["POST"]})
        body = {"first_name": "Lost answer"}
        try:
            c.req("POST", "/leads", body, {"Idempotency-Key": "retry-me"})
            check(False, "drop_after should break the connection")
        except (http.client.HTTPException, OSError):
            pass
        st, _, js = c.req("POST", "/leads", body, {"Idempotency-Key": "retry-me"})
        check(st in (200, 201) and js["id"] == "ld_000001", f"retry after drop_after replays {st}")
        _, _, st_ = cc.req("GET", "/_control/stats")
        check(st_["creates"] == 1 and st_["faults_injected"] == 1, f"one create only {st_}")

        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["drop"]})
        try:
            c.req("GET", "/leads")
            check(False, "drop should fail the read")
        except (http.client.HTTPException, OSError):
            pass
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["malformed"]})
        st, _, raw = c.raw("GET", "/leads")
        bad = False
        try:
            json.loads(raw)
        except ValueError:
            bad = True
        check(st == 200 and bad, "malformed -> 200 + invalid JSON")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["503"], "retry_after": "2"})
        st, h, js = c.req("GET", "/leads")
        check(st == 503 and h.get("retry-after") == "2" and js is not None, "503 + Retry-After")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["429"],
                                            "retry_after": "http-date"})
        st, h, _ = c.req("GET", "/leads")
        check(st == 429 and email.utils.parsedate_to_datetime(h.get("retry-after", "x")) is not None,
              f"429 + HTTP-date Retry-After ({h.get('retry-after')})")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["500"]})
        check(c.req("GET", "/leads")[0] == 500, "500 fault")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["delay"], "delay_ms": 150})
        t0 = time.monotonic()
        st, _, _ = c.req("GET", "/leads")
        check(st == 200 and time.monotonic() - t0 >= 0.14, "delay fault")
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["timeout"],
                                            "timeout_ms": 600})
        tc = Client(r.port, {"Authorization": "Bearer sekret"}, timeout=0.2)
        try:
            tc.req("GET", "/leads")
            check(False, "timeout fault should time the client out")
        except (socket.timeout, TimeoutError, OSError, http.client.HTTPException):
            pass
        cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["malformed_after"],
                                            "max_faults": 1})
        st, _, raw = c.raw("POST", "/leads", {"first_name": "garbled"})
        check(st == 200, "malformed_after 200")
        check(any(x["first_name"] == "garbled"
                  for x in cc.req("GET", "/_control/records/leads")[2]["data"]),
              "malformed_after still wrote")
        # determinism
        cc.req("POST", "/_control/faults", {"fraction": 0.3, "kinds": ["503"], "seed": 7})
        a = [c.req("GET", "/leads")[0] for _ in range(40)]
        cc.req("POST", "/_control/faults", {"fraction": 0.3, "kinds": ["503"], "seed": 7})
        b = [c.req("GET", "/leads")[0] for _ in range(40)]
        check(a == b and 4 <= a.count(503) <= 20, f"seeded faults deterministic ({a.count(503)})")
        cc.req("POST", "/_control/faults", {"fraction": 0})
        check(all(c.req("GET", "/leads")[0] == 200 for _ in range(10)), "faults off")
        check(cc.req("POST", "/_control/faults", {"fraction": 1, "kinds": ["bogus"]})[0] == 400,
              "unknown fault kind rejected")

        # concurrency: 8 keep-alive clients
        cc.req("POST", "/_control/reset")
        errors = []

        def worker(n):
            wc = Client(r.port, {"Authorization": "Bearer sekret"})
            try:
                for i in range(25):
                    st, _, js = wc.req("POST", "/tasks", {"title": f"t{n}-{i}"},
                                       {"Idempotency-Key": f"{n}-{i}"})
                    if st != 201:
                        errors.append(st)
                    st, _, _ = wc.req("GET", f"/tasks/{js['id']}")
                    if st != 200:
                        errors.append(st)
            except Exception as e:  # pragma: no cover
                errors.append(repr(e))
        ts = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        _, _, st_ = cc.req("GET", "/_control/stats")
        check(not errors and st_["creates"] == 200 and st_["requests"] == 400,
              f"concurrent clients ok ({errors[:3]}, {st_['creates']})")
        ids = [x["id"] for x in cc.req("GET", "/_control/records/tasks")[2]["data"]]
        check(len(set(ids)) == 200, "unique ids under concurrency")
    finally:
        r.close()


# ---------------------------------------------------------------------------
# cin7
# ---------------------------------------------------------------------------

def test_cin7():
    print("cin7 ...", flush=True)
    r = Remote("cin7", "--account-id", "acc", "--app-key", "key")
    try:
        auth = {"api-auth-accountid": "acc", "api-auth-applicationkey": "key"}
        c = Client(r.port, auth)
        cc = ctl(r.port)
        base = "/ExternalApi/v2/crm"
        st, _, js = Client(r.port, {"api-auth-accountid": "acc"}).req("GET", f"{base}/lead")
        check(st == 403 and js[0]["ErrorCode"] == 403, f"bad auth 403 ({st} {js})")
        lead = {"Name": "Acme Pty", "LeadStatus": "NEW", "Tags": "vip,wholesale",
                "Contacts": [{"Name": "Ann", "Email": "ann@acme.test", "Default": True}],
                "Addresses": [{"Line1": "1 Main", "City": "Perth", "Type": "Billing"}]}
        st, _, js = c.req("POST", f"{base}/lead", lead)
        check(st == 200 and js["Total"] == 1 and len(js["LeadList"]) == 1, f"create lead {st}")
        rec = js["LeadList"][0]
        check(len(rec["ID"]) == 36 and rec["Contacts"][0]["ID"] and rec["Addresses"][0]["ID"]
              and rec["Contacts"][0]["Email"] == "ann@acme.test" and rec["Tags"] == "vip,wholesale",
              f"lead shape {rec}")
        check("LastModified" not in rec and not any("modif" in k.lower() for k in rec),
              "no modified stamp in records")
        check(c.req("POST", f"{base}/lead", {"Comments": "no name"})[0] == 400, "Name required")
        check(c.req("POST", f"{base}/lead", b"{")[0] == 400, "bad json 400")
        for i in range(4):
            c.req("POST", f"{base}/lead", {"Name": f"L{i}"})
        st, _, js = c.req("GET", f"{base}/lead?Page=2&Limit=2")
        check(js["Total"] == 5 and js["Page"] == 2 and [x["Name"] for x in js["LeadList"]]
              == ["L1", "L2"], f"paging {js}")
        check(c.req("GET", f"{base}/lead?Limit=1001")[0] == 400, "Limit > 1000 -> 400")
        st, _, js = c.req("GET", f"/externalapi/v2/CRM/Lead?name=acme%20pty&page=1&limit=10")
        check(st == 200 and [x["ID"] for x in js["LeadList"]] == [rec["ID"]],
              "case-insensitive path / params, Name filter")
        st, _, js = c.req("GET", f"{base}/lead?ID={rec['ID']}")
        check(js["Total"] == 1, "ID filter")
        # ModifiedSince
        time.sleep(0.01)
        cc.req("POST", "/_control/clock", {"now": "2030-01-01T00:00:00Z"})
        st, _, js = c.req("PUT", f"{base}/lead", {"ID": rec["ID"], "Name": "Acme Ltd"})
        check(st == 200 and js["LeadList"][0]["Name"] == "Acme Ltd"
              and js["LeadList"][0]["Contacts"][0]["Email"] == "ann@acme.test", "PUT updates")
        st, _, js = c.req("GET", f"{base}/lead?ModifiedSince=2030-01-01T00:00:00")
        check([x["ID"] for x in js["LeadList"]] == [rec["ID"]], f"ModifiedSince {js}")
        check(c.req("PUT", f"{base}/lead", {"ID": "00000000-0000-4000-8000-000000000000",
                                            "Name": "x"})[0] == 404, "PUT unknown -> 404")
        check(c.req("DELETE", f"{base}/lead")[0] == 405, "DELETE -> 405")
        cc.req("POST", "/_control/clock", {"now": "2030-01-02T00:00:00Z"})
        cc.req("PATCH", f"/_control/records/lead/{rec['ID']}", {"LeadStatus": "QUALIFIED"})
        st, _, js = c.req("GET", f"{base}/lead?ModifiedSince=2030-01-01T12:00:00")
        check(len(js["LeadList"]) == 1 and js["LeadList"][0]["LeadStatus"] == "QUALIFIED",
              "control patch bumps hidden modified time")
        _, _, ctlrecs = cc.req("GET", "/_control/records/lead")
        check(len(ctlrecs["data"]) == 5 and rec["ID"] in ctlrecs["modified"], "control list")
        # opportunity / task
        st, _, js = c.req("POST", f"{base}/opportunity", {"CustomerName": "Acme", "LeadID": rec["ID"],
                                                           "Lines": [{"ProductName": "P", "Quantity": 1}]})
        check(st == 200 and js["opportunityList"][0]["OpportunityNumber"] == "OP-00001"
              and js["opportunityList"][0]["Lines"][0]["ID"], f"opportunity {js}")
        st, _, js = c.req("POST", f"{base}/task", {"Name": "Call", "EntityType": "Lead",
                                                    "EntityID": rec["ID"], "AssignedTo": "a@b.c",
                                                    "StartDate": "2030-01-03T00:00:00Z",
                                                    "EndDate": "2030-01-03T00:00:00Z"})
        check(st == 200 and js["Tasks"][0]["TaskStatus"] == "Open", f"task {js}")
        st, _, js = c.req("GET", f"{base}/task?AssignedTo=A@B.C")
        check(js["Total"] == 1, "task AssignedTo filter")
        cc.req("DELETE", f"/_control/records/lead/{rec['ID']}")
        check(c.req("GET", f"{base}/lead?ID={rec['ID']}")[2]["Total"] == 0, "control delete removes")
        st, _, js = cc.req("POST", "/_control/records/lead", {"data": [
            {"ID": "11111111-1111-4111-8111-111111111111", "Name": "Seeded",
             "_modified": "2020-01-01T00:00:00Z"}]})
        check(js["data"][0]["ID"] == "11111111-1111-4111-8111-111111111111"
              and "_modified" not in js["data"][0], "control insert keeps ID")
        st, _, js = c.req("GET", f"{base}/lead?ModifiedSince=2021-01-01T00:00:00")
        check(all(x["Name"] != "Seeded" for x in js["LeadList"]), "seeded _modified honoured")
        # throttling
        cc.req("POST", "/_control/reset")
        cc.req("POST", "/_control/rate_limit", {"limit": 3, "window": 60})
        res = [c.req("GET", f"{base}/lead") for _ in range(5)]
        codes = [x[0] for x in res]
        check(codes == [200, 200, 200, 503, 503], f"cin7 throttle codes {codes}")
        check("retry-after" not in res[3][1]
              and res[3][2][0]["Exception"] == "You have reached 3 calls per 60 seconds API limit.",
              f"cin7 503 body {res[3][2]}")
        _, _, st_ = cc.req("GET", "/_control/stats")
        check(st_["throttled"] == 2 and st_["by_route"].get("GET /ExternalApi/v2/crm/lead") == 5,
              f"cin7 stats {st_}")
    finally:
        r.close()
    r = Remote("cin7", "--rate-limit", "60/60", env={"CIN7_ACCOUNT_ID": "e1",
                                                    "CIN7_APPLICATION_KEY": "e2"})
    try:
        c = Client(r.port, {"api-auth-accountid": "e1", "api-auth-applicationkey": "e2"})
        check(c.req("GET", "/ExternalApi/v2/crm/task")[0] == 200, "cin7 creds from env")
        _, _, rl = ctl(r.port).req("GET", "/_control/rate_limit")
        check(rl == {"limit": 60, "window": 60.0}, f"--rate-limit parsed {rl}")
    finally:
        r.close()


# ---------------------------------------------------------------------------
# hubspot
# ---------------------------------------------------------------------------

def test_hubspot():
    print("hubspot ...", flush=True)
    r = Remote("hubspot", "--token", "hs")
    try:
        c = Client(r.port, {"Authorization": "Bearer hs"})
        cc = ctl(r.port)
        base = "/crm/v3/objects"
        st, _, js = Client(r.port).req("GET", f"{base}/contacts")
        check(st == 401 and js["category"] == "INVALID_AUTHENTICATION", f"401 {js}")
        st, _, js = c.req("POST", f"{base}/contacts",
                          {"properties": {"email": "Ann@X.test", "firstname": "Ann",
                                          "crmgate_id": "g-1", "num": 5, "flag": True}})
        check(st == 201 and js["id"] == "101" and js["properties"]["hs_object_id"] == "101"
              and js["properties"]["num"] == "5" and js["properties"]["flag"] == "true"
              and js["archived"] is False and js["properties"]["lastmodifieddate"]
              and js["properties"]["hs_lastmodifieddate"] and js["properties"]["createdate"],
              f"create contact {js}")
        cid = js["id"]
        st, _, js = c.req("POST", f"{base}/contacts", {"properties": {"email": "ann@x.test"}})
        check(st == 409 and js["message"] == f"Contact already exists. Existing ID: {cid}"
              and js["category"] == "CONFLICT", f"dup email 409 {js}")
        st, _, js = c.req("POST", f"{base}/contacts", {"properties": {"crmgate_id": "g-1"}})
        check(st == 409, "dup crmgate_id 409")
        for i in range(4):
            c.req("POST", f"{base}/contacts", {"properties": {"email": f"c{i}@x.test"}})
        ids, after, pages = [], None, 0
        while True:
            st, _, js = c.req("GET", f"{base}/contacts?limit=2" + (f"&after={after}" if after else ""))
            pages += 1
            ids += [x["id"] for x in js["results"]]
            nxt = js.get("paging", {}).get("next")
            if not nxt or pages > 5:
                break
            after = nxt["after"]
            check(nxt["link"].startswith("http://127.0.0.1:"), "paging link")
        check(pages == 3 and len(ids) == 5 and len(set(ids)) == 5, f"list paging {ids}")
        st, _, js = c.req("GET", f"{base}/contacts/ann@x.test?idProperty=email&properties=firstname")
        check(st == 200 and js["id"] == cid and set(js["properties"]) ==
              {"firstname", "hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate"},
              f"get by email with properties {js}")
        check(c.req("GET", f"{base}/contacts/99999")[0] == 404, "get missing 404")
        cc.req("POST", "/_control/clock", {"now": "2031-01-01T00:00:00Z"})
        st, _, js = c.req("PATCH", f"{base}/contacts/{cid}", {"properties": {"lastname": "Lee",
                                                                           "num": ""}})
        check(st == 200 and js["properties"]["lastname"] == "Lee" and "num" not in js["properties"]
              and js["updatedAt"] == "2031-01-01T00:00:00.000Z"
              and js["properties"]["hs_lastmodifieddate"] == "2031-01-01T00:00:00.000Z",
              f"patch {js}")
        since_ms = 1924991999000  # 2030-12-31T23:59:59Z
        st, _, js = c.req("POST", f"{base}/contacts/search", {
            "filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate",
                                           "operator": "GTE", "value": str(since_ms)}]}],
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "limit": 100})
        check(st == 200 and js["total"] == 1 and js["results"][0]["id"] == cid, f"search GTE {js}")
        st, _, js = c.req("POST", f"{base}/contacts/search", {
            "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT",
                                           "value": "2031-01-01T00:00:00Z"}]}]})
        check(js["total"] == 0, "search GT iso strict")
        st, _, js = c.req("POST", f"{base}/contacts/search", {
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ",
                                           "value": "C2@x.test"}]}]})
        check(js["total"] == 1 and js["results"][0]["properties"]["email"] == "c2@x.test",
              "search email EQ")
        st, _, js = c.req("POST", f"{base}/contacts/search", {"limit": 2, "after": "2"})
        check(js["total"] == 5 and len(js["results"]) == 2 and js["paging"]["next"]["after"] == "4",
              f"search offset paging {js.get('paging')}")
        check(c.req("POST", f"{base}/contacts/search", {"after": "10000"})[0] == 400,
              "search past 10k -> 400")
        check(c.req("POST", f"{base}/contacts/search", {"limit": 201})[0] == 400, "search limit 200")
        # batch
        st, _, js = c.req("POST", f"{base}/contacts/batch/create",
                          {"inputs": [{"properties": {"email": f"b{i}@x.test"}} for i in range(101)]})
        check(st == 400, "batch > 100 -> 400")
        st, _, js = c.req("POST", f"{base}/deals/batch/create", {"inputs": [
            {"properties": {"dealname": "D1", "dealstage": "appointmentscheduled", "amount": 10.5}},
            {"properties": {"dealname": "D2", "dealstage": "closedwon"}}]})
        check(st == 201 and js["status"] == "COMPLETE" and len(js["results"]) == 2
              and js["results"][0]["properties"]["amount"] == "10.5", f"batch create {js}")
        check(c.req("POST", f"{base}/deals", {"properties": {"amount": 1}})[0] == 400,
              "deal requires dealname/dealstage")
        check(c.req("POST", f"{base}/tasks", {"properties": {"hs_task_subject": "x"}})[0] == 400,
              "task requires hs_timestamp")
        st, _, js = c.req("POST", f"{base}/tasks", {"properties": {
            "hs_task_subject": "Call", "hs_timestamp": "2031-02-01T00:00:00Z",
            "hs_task_status": "NOT_STARTED"}})
        check(st == 201 and js["properties"]["hs_createdate"], "task create")
        st, _, js = c.req("POST", f"{base}/contacts/batch/upsert", {"inputs": [
            {"idProperty": "email", "id": "ann@x.test", "properties": {"firstname": "Anne"}},
            {"idProperty": "email", "id": "new@x.test", "properties": {"firstname": "New"}},
            {"idProperty": "crmgate_id", "id": "g-9", "properties": {"firstname": "G9"}}]})
        check(st == 200 and [x["new"] for x in js["results"]] == [False, True, True]
              and js["results"][0]["id"] == cid and js["results"][1]["properties"]["email"]
              == "new@x.test" and js["results"][2]["properties"]["crmgate_id"] == "g-9",
              f"batch upsert {js}")
        st, _, js = c.req("POST", f"{base}/contacts/batch/update", {"inputs": [
            {"id": cid, "properties": {"phone": "1"}}, {"id": "424242", "properties": {}}]})
        check(st == 207 and js["numErrors"] == 1 and js["results"][0]["properties"]["phone"] == "1",
              f"batch update 207 {js}")
        st, _, js = c.req("POST", f"{base}/contacts/batch/read",
                          {"inputs": [{"id": cid}], "properties": ["phone"]})
        check(st == 200 and js["results"][0]["properties"]["phone"] == "1", "batch read")
        # archive
        st, _, body = c.raw("DELETE", f"{base}/contacts/{cid}")
        check(st == 204 and body == b"", "delete 204")
        check(c.req("GET", f"{base}/contacts/{cid}")[0] == 404, "archived -> 404")
        st, _, js = c.req("GET", f"{base}/contacts?archived=true")
        check([x["id"] for x in js["results"]] == [cid] and js["results"][0]["archived"] is True,
              "archived listing")
        st, _, js = c.req("POST", f"{base}/contacts", {"properties": {"email": "ann@x.test"}})
        check(st == 201, "archived contact's email can be reused")
        # control
        st, _, js = cc.req("POST", "/_control/records/contacts", {"data": [
            {"id": "5000", "properties": {"email": "seed@x.test"},
             "createdAt": "2020-01-01T00:00:00Z", "updatedAt": "2020-01-02T00:00:00Z"}]})
        check(js["data"][0]["properties"]["hs_lastmodifieddate"] == "2020-01-02T00:00:00.000Z",
              f"control insert stamps {js}")
        st, _, js = cc.req("PATCH", "/_control/records/contacts/5000",
                           {"properties": {"firstname": "Other user"}})
        check(js["updatedAt"] == "2031-01-01T00:00:00.000Z"
              and js["properties"]["lastmodifieddate"] == "2031-01-01T00:00:00.000Z",
              "control patch stamps")
        cc.req("DELETE", "/_control/records/contacts/5000")
        check(cc.req("GET", "/_control/records/contacts/5000")[2]["archived"] is True,
              "control delete archives")
        # rate limit
        cc.req("POST", "/_control/reset")
        cc.req("POST", "/_control/rate_limit", {"limit": 2, "window": 1})
        res = [c.req("GET", f"{base}/deals") for _ in range(3)]
        check([x[0] for x in res] == [200, 200, 429] and res[2][2]["policyName"] == "SECONDLY"
              and res[2][2]["errorType"] == "RATE_LIMIT" and int(res[2][1]["retry-after"]) >= 1,
              f"hubspot 429 {res[2]}")
    finally:
        r.close()


# ---------------------------------------------------------------------------
# benchmark
# ---------------------------------------------------------------------------

def bench(seconds=5.0, threads=8):
    r = Remote("generic")
    try:
        c = Client(r.port, {"Authorization": "Bearer test-token"})
        _, _, js = c.req("POST", "/leads", {"first_name": "Bench", "last_name": "Mark",
                                            "email": "b@m.test", "tags": ["x"]})
        path = f"/leads/{js['id']}"
        counts = [0] * threads
        errors = []
        stop = time.monotonic() + seconds

        def worker(n):
            wc = Client(r.port, {"Authorization": "Bearer test-token"})
            try:
                while time.monotonic() < stop:
                    st, _, _ = wc.raw("GET", path)
                    if st != 200:
                        errors.append(st)
                    counts[n] += 1
            except Exception as e:  # pragma: no cover
                errors.append(repr(e))
        ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        t0 = time.monotonic()
        [t.start() for t in ts]
        [t.join() for t in ts]
        dt = time.monotonic() - t0
        total = sum(counts)
        print(f"bench: {total} GETs in {dt:.2f} s with {threads} keep-alive clients = "
              f"{total / dt:.0f} req/s (errors: {len(errors)})")
        check(not errors, f"bench errors {errors[:3]}")
    finally:
        r.close()


def main():
    t0 = time.monotonic()
    test_generic()
    test_cin7()
    test_hubspot()
    if "--bench" in sys.argv:
        bench()
    dt = time.monotonic() - t0
    if FAILURES:
        print(f"{len(FAILURES)} of {CHECKS} checks FAILED in {dt:.1f} s")
        sys.exit(1)
    print(f"all {CHECKS} checks passed in {dt:.1f} s")


if __name__ == "__main__":
    main()
