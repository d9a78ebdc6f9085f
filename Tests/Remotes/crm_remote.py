#!/usr/bin/env python3
"""crm_remote.py - in-memory fake CRM remotes over real HTTP/1.1 for crmgate's tests.

Standard library only (Python 3.11). One process serves ONE flavour:

    python3 crm_remote.py --flavor generic|cin7|hubspot --port 0
        [--token T] [--account-id A --app-key K] [--rate-limit N/SECONDS]
        [--page-max N] [--seed S] [--unique-props crmgate_id,...] [--lenient]
        [--cin7-strict] [--no-parent-watch]

It binds 127.0.0.1:<port> (0 = ephemeral), prints exactly one line
``LISTENING <port>`` on stdout, flushes, and prints nothing else on stdout.
It is meant to be killed with SIGKILL; it also exits by itself when its parent
process goes away (disable with --no-parent-watch).

Credentials: generic --token or $CRM_API_TOKEN (default "test-token");
hubspot --token or $HUBSPOT_TOKEN (default "test-token"); cin7 --account-id /
--app-key or $CIN7_ACCOUNT_ID / $CIN7_APPLICATION_KEY (defaults "test-account" /
"test-key").

HTTP: ThreadingHTTPServer, HTTP/1.1 keep-alive, TCP_NODELAY, every response is
written with one sendall and always carries Content-Length. Request bodies may
use Content-Length or chunked transfer coding (and Content-Encoding: gzip).
All state lives behind one lock.

-------------------------------------------------------------------------------
Control endpoints (every flavour; no auth; never rate limited or faulted)
-------------------------------------------------------------------------------
POST /_control/faults      {"fraction":0.2,"kinds":[...],"delay_ms":50,"retry_after":"1",
                            "seed":1,"only_methods":["GET",...],"only_paths":["/leads"],
                            "max_faults":N,"timeout_ms":30000}
    kinds: "503" "500" "429"   -> that status, flavour-shaped error body; 503/429 carry
                                  Retry-After: <retry_after> ("http-date" = an HTTP-date 1 s
                                  ahead; null = no header). Request NOT processed.
           "drop"              -> NOT processed; sends status line + headers announcing a
                                  4096-byte body, writes half of it, shuts the socket down.
           "drop_after"        -> request IS processed (writes happen), then the connection
                                  is closed before any response byte is sent.
           "malformed"         -> NOT processed; 200 with a truncated JSON body.
           "malformed_after"   -> request IS processed; 200 with the real body cut in half.
           "delay"             -> sleeps delay_ms, then processed and answered normally.
           "timeout"           -> NOT processed; sleeps timeout_ms (default 30 s), closes.
           "concurrent_edit"   -> on PATCH/DELETE of /<type>/<id>: another client edits the
                                  record first (owner = "another client", version bumped), then
                                  the request is processed (its If-Match is now stale: 412).
                                  Once per record: later draws for it are answered normally.
    Faults are drawn from random.Random(seed) once per API request (after the rate limit
    check); optional filters only_methods / only_paths (substring of the path) and
    max_faults (stop after N injected faults). {"fraction":0} switches them off.
GET  /_control/faults      current fault configuration
GET  /_control/stats       {"requests","by_status","by_route","faults_injected",
                            "faults_by_kind","throttled","creates","max_in_window",
                            "window_seconds"}
                           max_in_window = most accepted (not throttled) API requests seen in
                           any sliding window of the rate-limit window (1 s when no limit).
POST /_control/reset       clears records, stats, faults, idempotency keys, id counters,
                           rate-limit window history, frozen clock (rate-limit config stays).
GET  /_control/records/<type>          {"data":[every record in API shape, deleted too]}
POST /_control/records/<type>          {"data":[records]} insert as-is (ids assigned if
                                       missing, given timestamps kept) -> {"data":[stored]}
PATCH /_control/records/<type>/<id>    edit as "another user" (bumps version/timestamps)
DELETE /_control/records/<type>/<id>   generic: soft delete; hubspot: archive; cin7: remove
POST /_control/clock       {"now":"2026-01-01T00:00:00Z"} freeze | {"now":null} real time |
                           {"advance_ms":1500} move the frozen clock
POST /_control/rate_limit  {"limit":N,"window":S} | {"limit":null} ; GET shows it
GET  /_control/health      {"ok":true,"flavor":...}

-------------------------------------------------------------------------------
Flavour "generic" (types leads / opportunities / tasks; Authorization: Bearer T)
-------------------------------------------------------------------------------
GET    /<type>?limit=N&cursor=C&updated_since=T&include_deleted=true
       -> {"data":[...],"next_cursor":"..."|null}, ordered by (updated_at, id);
       updated_since inclusive; cursor = base64url(JSON {"u":updated_at,"i":id}) of the
       last record returned, next page = records strictly after that pair.
       limit default 100, clamped to --page-max (default 1000); limit<1 or junk -> 400.
GET    /<type>/<id>      -> record + ETag: "<version>" (404 if missing or deleted;
                            If-None-Match matching -> 304)
POST   /<type>           -> 201 + ETag + Location. Idempotency-Key header: a repeat with the
                            same key (per type) replays the first answer (201, same record,
                            header Idempotent-Replayed: true); same key + different body -> 422.
PATCH  /<type>/<id>      If-Match required (428 without; 412 stale, body has current_version);
                            top-level keys replace (address/custom replaced whole) -> 200
DELETE /<type>/<id>      If-Match required -> 204, soft delete (deleted=true, version+1)
Records: id ("ld_000001"/"op_..."/"tk_..."), every client key stored verbatim, created_at,
updated_at (RFC 3339 UTC with ms), version (1, +1 per change), deleted (false/true).
Errors: {"error":"<code>","message":"..."}; 401 carries WWW-Authenticate: Bearer.
Rate limit: 429 + Retry-After: <integer seconds until a slot frees, >= 1>.

-------------------------------------------------------------------------------
Flavour "cin7" (Cin7 Core / DEAR Inventory External API v2, CRM)
-------------------------------------------------------------------------------
Auth headers api-auth-accountid + api-auth-applicationkey; wrong/missing -> 403.
Paths (case-insensitive): /ExternalApi/v2/crm/lead | /crm/opportunity | /crm/task
GET  ?Page=1&Limit=100&ModifiedSince=...&ID=...&Name=...  (param names case-insensitive)
     -> {"Total":n,"Page":p,"LeadList":[...]}  ("opportunityList" / "Tasks" for the others)
     Limit 1..1000 (else 400). ModifiedSince filters on a hidden modification time that is
     never returned. Insertion order. Task also filters Category / AssignedTo.
POST body = record -> 200 {"Total":1,"Page":1,"LeadList":[saved record with new GUID ID]}
PUT  body with ID  -> 200 same envelope; listed top-level keys replace; unknown ID -> 404
DELETE -> 405 (the CRM endpoints have no DELETE). No ETag, upsert or idempotency keys.
Sales: POST /ExternalApi/v2/sale (header; Customer or CustomerID, Location), POST /sale/quote and /sale/order
(SaleID, Status DRAFT|AUTHORISED, Lines), GET /saleList?Search=, GET /sale?ID=; /_control/records/sale lists them.
Errors use Cin7's Error Model: [{"ErrorCode":403,"Exception":"..."}].
Rate limit: 503 with [{"ErrorCode":503,"Exception":"You have reached 60 calls per 60
seconds API limit."}] and no Retry-After.
References:
  https://dearinventory.docs.apiary.io/ (Cin7 Core API v2 reference: auth headers, paging
    1..1000, status codes 403 auth / 503 "60 calls per minute API limit")
  github.com/ipsocode/hypervel-cin7 workbench/fixtures/crm/{lead,opportunity,task}/*.json
    and tests catalogue (request params, envelope keys LeadList / opportunityList / Tasks,
    POST/PUT answers wrapped in the same envelope)
  DearInventory ruby gem: 503 body text "You have reached 60 calls per 60 seconds API limit."

-------------------------------------------------------------------------------
Flavour "hubspot" (CRM v3 objects contacts / deals / tasks; Authorization: Bearer T)
-------------------------------------------------------------------------------
GET    /crm/v3/objects/<obj>?limit=10&after=C&properties=a,b&archived=false
       -> {"results":[obj...],"paging":{"next":{"after":"...","link":"..."}}} (no paging on
       the last page); limit default 10, clamped to 100; ordered by numeric id.
GET    /crm/v3/objects/<obj>/<id>[?idProperty=email&properties=..&archived=true]
POST   /crm/v3/objects/<obj>           {"properties":{...}} -> 201
PATCH  /crm/v3/objects/<obj>/<id>      {"properties":{...}} -> 200 ("" clears a property)
DELETE /crm/v3/objects/<obj>/<id>      -> 204 (archive; also for unknown ids)
POST   /crm/v3/objects/<obj>/search    filterGroups (OR of AND), operators EQ NEQ LT LTE GT
       GTE BETWEEN IN NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY CONTAINS_TOKEN, sorts, query,
       properties, limit<=200, after=offset; can't page past 10,000 (400).
POST   /crm/v3/objects/<obj>/batch/{create,update,upsert,read,archive}  (<=100 inputs)
obj = {"id":"101","properties":{...all strings...},"createdAt","updatedAt","archived"}
Always-present properties: hs_object_id, createdate, hs_lastmodifieddate (+ lastmodifieddate
on contacts, hs_createdate on tasks). Without a properties param every stored property is
returned (real HubSpot returns only a default set). Unique: contacts.email (case-insensitive)
and the --unique-props (default crmgate_id) -> 409 CONFLICT "... Existing ID: <id>".
Required on create unless --lenient: deals dealname+dealstage, tasks hs_timestamp.
Errors: {"status":"error","message":...,"correlationId":...,"category":...}.
Rate limit: 429 + Retry-After + {"status":"error","message":"You have reached your secondly
limit.","errorType":"RATE_LIMIT","policyName":"SECONDLY",...}.
References:
  https://developers.hubspot.com/docs/api/crm/understanding-the-crm
  https://developers.hubspot.com/docs/api/crm/search  (limits: 200/page, 10,000 results,
    5 filterGroups; 400 past 10,000)
  https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts
  https://developers.hubspot.com/docs/api/usage-details  (429 body, policyName SECONDLY)
"""

from __future__ import annotations

import argparse
import base64
import bisect
import collections
import copy
import email.utils
import gzip
import http.server
import json
import math
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

# ---------------------------------------------------------------------------
# Time helpers
# ---------------------------------------------------------------------------

_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_ts(value) -> datetime:
    """Parse RFC 3339 / ISO 8601 (offset optional: naive = UTC) or epoch milliseconds."""
    if isinstance(value, bool):
        raise ValueError("bad timestamp")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000.0, tz=timezone.utc)
    s = str(value).strip()
    if re.fullmatch(r"-?\d{9,}", s):
        return datetime.fromtimestamp(int(s) / 1000.0, tz=timezone.utc)
    m = _TS_RE.match(s)
    if not m:
        raise ValueError(f"bad timestamp: {s!r}")
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    us = 0
    if frac:
        us = int((frac + "000000")[:6])
    dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), us,
                  tzinfo=timezone.utc)
    if off and off not in ("Z", "z"):
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:4] or 0)
        dt = dt - sign * timedelta(hours=oh, minutes=om)
    return dt


def fmt_ts(dt: datetime) -> str:
    """RFC 3339 UTC with milliseconds: 2026-11-29T03:40:00.123Z"""
    dt = dt.astimezone(timezone.utc)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def ceil_ms(dt: datetime) -> datetime:
    extra = dt.microsecond % 1000
    if extra:
        dt = dt + timedelta(microseconds=1000 - extra)
    return dt


def to_epoch_ms(dt: datetime) -> int:
    return int(round(dt.timestamp() * 1000))


def fmt_cin7_date(dt: datetime) -> str:
    return f"{dt.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S}"


class Clock:
    def __init__(self):
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        dt = datetime.now(timezone.utc)
        return dt.replace(microsecond=(dt.microsecond // 1000) * 1000)

    def now_str(self) -> str:
        return fmt_ts(self.now())


# ---------------------------------------------------------------------------
# Responses / errors
# ---------------------------------------------------------------------------

def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, body: bytes = b"", headers=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])


def json_response(status: int, obj, headers=None) -> Response:
    h = [("Content-Type", "application/json; charset=utf-8")]
    h.extend(headers or [])
    return Response(status, dumps(obj) if obj is not None else b"", h)


class HTTPError(Exception):
    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def parse_json_body(body: bytes, error_factory):
    if not body or not body.strip():
        raise HTTPError(error_factory(400, "request body is empty; a JSON document is required"))
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise HTTPError(error_factory(400, f"invalid JSON body: {e}"))


def parse_query(qs: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(qs, keep_blank_values=True)


def q1(query: dict, name: str, default=None):
    v = query.get(name)
    return v[-1] if v else default


def truthy(v) -> bool:
    return str(v).strip().lower() in ("1", "true", "yes", "on")


# ---------------------------------------------------------------------------
# Rate limiter / faults / stats
# ---------------------------------------------------------------------------

class RateLimiter:
    """Sliding window over ACCEPTED requests: more than `limit` in `window` s is refused."""

    def __init__(self):
        self.limit: int | None = None
        self.window: float = 1.0
        self.accepted: collections.deque = collections.deque()
        self.max_in_window = 0

    def configure(self, limit, window):
        self.limit = int(limit) if limit else None
        self.window = float(window) if window else 1.0
        self.accepted.clear()
        self.max_in_window = 0

    def clear_history(self):
        self.accepted.clear()
        self.max_in_window = 0

    def admit(self, now: float):
        """Returns (allowed, retry_after_seconds)."""
        cutoff = now - self.window
        dq = self.accepted
        while dq and dq[0] <= cutoff:
            dq.popleft()
        if self.limit is not None and len(dq) >= self.limit:
            wait = dq[len(dq) - self.limit] + self.window - now
            return False, max(1, math.ceil(wait))
        dq.append(now)
        if len(dq) > self.max_in_window:
            self.max_in_window = len(dq)
        return True, 0


FAULT_KINDS = ("503", "500", "429", "drop", "drop_after", "malformed", "malformed_after",
               "delay", "timeout", "concurrent_edit")


class Faults:
    def __init__(self, seed):
        self.default_seed = seed
        self.reset()

    def reset(self):
        self.fraction = 0.0
        self.kinds = ["503"]
        self.delay_ms = 50
        self.retry_after = "1"
        self.seed = self.default_seed
        self.only_methods = None
        self.only_paths = None
        self.max_faults = None
        self.edited = set()  # records a concurrent_edit fault has edited
        self.timeout_ms = 30000
        self.injected = 0
        self.rng = random.Random(self.seed)

    def configure(self, cfg: dict):
        fraction = float(cfg.get("fraction", 0) or 0)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be within [0, 1]")
        kinds = cfg.get("kinds", ["503"]) or ["503"]
        if not isinstance(kinds, list):
            raise ValueError("kinds must be a list")
        kinds = [str(k) for k in kinds]
        bad = [k for k in kinds if k not in FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {list(FAULT_KINDS)}")
        self.fraction = fraction
        self.kinds = kinds
        self.delay_ms = int(cfg.get("delay_ms", 50) or 0)
        self.retry_after = cfg.get("retry_after", "1")
        if self.retry_after is not None:
            self.retry_after = str(self.retry_after)
        self.seed = cfg.get("seed", self.default_seed)
        om = cfg.get("only_methods")
        self.only_methods = {m.upper() for m in om} if om else None
        op = cfg.get("only_paths")
        self.only_paths = list(op) if op else None
        mf = cfg.get("max_faults")
        self.max_faults = int(mf) if mf is not None else None
        self.timeout_ms = int(cfg.get("timeout_ms", 30000))
        self.injected = 0
        self.rng = random.Random(self.seed)

    def describe(self):
        return {"fraction": self.fraction, "kinds": self.kinds, "delay_ms": self.delay_ms,
                "retry_after": self.retry_after, "seed": self.seed,
                "only_methods": sorted(self.only_methods) if self.only_methods else None,
                "only_paths": self.only_paths, "max_faults": self.max_faults,
                "timeout_ms": self.timeout_ms, "injected": self.injected}

    def pick(self, method: str, path: str):
        if self.fraction <= 0:
            return None
        if self.only_methods is not None and method not in self.only_methods:
            return None
        if self.only_paths is not None and not any(p in path for p in self.only_paths):
            return None
        if self.max_faults is not None and self.injected >= self.max_faults:
            return None
        if self.rng.random() >= self.fraction:
            return None
        self.injected += 1
        return self.rng.choice(self.kinds)

    def retry_after_header(self):
        ra = self.retry_after
        if ra is None:
            return []
        if ra.lower() == "http-date":
            return [("Retry-After", email.utils.formatdate(time.time() + 1, usegmt=True))]
        return [("Retry-After", ra)]


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.requests = 0
        self.by_status = collections.Counter()
        self.by_route = collections.Counter()
        self.faults_injected = 0
        self.faults_by_kind = collections.Counter()
        self.throttled = 0
        self.creates = 0


# ---------------------------------------------------------------------------
# Flavour base
# ---------------------------------------------------------------------------

class Flavor:
    name = "base"
    types: tuple = ()

    def __init__(self, state: "State", args):
        self.state = state
        self.args = args

    # -- helpers
    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def rng(self) -> random.Random:
        return self.state.rng

    def count_create(self, n=1):
        self.state.stats.creates += n

    # -- to implement
    def reset(self):
        raise NotImplementedError

    def route_key(self, method: str, path: str) -> str:
        raise NotImplementedError

    def dispatch(self, method, path, query, headers, body) -> Response:
        raise NotImplementedError

    def error(self, status: int, message: str, code: str | None = None) -> Response:
        raise NotImplementedError

    def throttle_response(self, retry_after: int) -> Response:
        raise NotImplementedError

    def fault_response(self, status: int, retry_headers) -> Response:
        raise NotImplementedError

    # control
    def ctl_list(self, rtype):
        raise NotImplementedError

    def ctl_insert(self, rtype, records):
        raise NotImplementedError

    def ctl_patch(self, rtype, rid, partial):
        raise NotImplementedError

    def ctl_delete(self, rtype, rid):
        raise NotImplementedError


# ---------------------------------------------------------------------------
# Generic flavour
# ---------------------------------------------------------------------------

class GenericFlavor(Flavor):
    name = "generic"
    types = ("leads", "opportunities", "tasks")
    PREFIX = {"leads": "ld", "opportunities": "op", "tasks": "tk"}
    SERVER_OWNED = ("id", "created_at", "updated_at", "version", "deleted")

    def __init__(self, state, args):
        super().__init__(state, args)
        self.token = args.token or os.environ.get("CRM_API_TOKEN") or "test-token"
        self.page_max = args.page_max or 1000
        # Fields the listing leaves out (only a GET of the record has them), as many real APIs abbreviate lists.
        self.list_omits = [f.strip() for f in (getattr(args, "list_omits", None) or "").split(",") if f.strip()]
        self.reset()

    def reset(self):
        self.records = {t: {} for t in self.types}
        self.counters = {t: 0 for t in self.types}
        self.idem = {}
        self._sorted = {t: None for t in self.types}

    # -- errors
    def error(self, status, message, code=None, extra=None, headers=None):
        code = code or {400: "bad_request", 401: "unauthorized", 404: "not_found",
                        405: "method_not_allowed", 409: "conflict", 412: "precondition_failed",
                        422: "unprocessable_entity", 428: "precondition_required",
                        429: "rate_limited", 500: "internal_error",
                        503: "service_unavailable"}.get(status, "error")
        body = {"error": code, "message": message}
        if extra:
            body.update(extra)
        return json_response(status, body, headers)

    def throttle_response(self, retry_after):
        return self.error(429, "rate limit exceeded", "rate_limited",
                          headers=[("Retry-After", str(retry_after))])

    def fault_response(self, status, retry_headers):
        msg = {503: "service temporarily unavailable", 500: "internal server error",
               429: "too many requests"}.get(status, "injected fault")
        return self.error(status, msg, headers=retry_headers if status in (429, 503) else None)

    # -- routing
    def _split(self, path):
        parts = [p for p in path.split("/") if p]
        return parts

    def route_key(self, method, path):
        parts = self._split(path)
        if len(parts) == 1 and parts[0] in self.types:
            return f"{method} /{parts[0]}"
        if len(parts) == 2 and parts[0] in self.types:
            return f"{method} /{parts[0]}/{{id}}"
        return f"{method} {path}"

    def _check_auth(self, headers):
        auth = headers.get("Authorization") or ""
        if auth[:7].lower() != "bearer " or auth[7:].strip() != self.token:
            raise HTTPError(self.error(401, "missing or invalid bearer token",
                                       headers=[("WWW-Authenticate", 'Bearer realm="crm"')]))

    def dispatch(self, method, path, query, headers, body):
        self._check_auth(headers)
        parts = self._split(path)
        if not parts or parts[0] not in self.types or len(parts) > 2:
            return self.error(404, f"no route for {method} {path}")
        rtype = parts[0]
        if len(parts) == 1:
            if method == "GET":
                return self.list(rtype, query)
            if method == "POST":
                return self.create(rtype, headers, body)
            return self.error(405, f"{method} not allowed on /{rtype}",
                              headers=[("Allow", "GET, POST")])
        rid = urllib.parse.unquote(parts[1])
        if method == "GET":
            return self.get(rtype, rid, headers)
        if method == "PATCH":
            return self.patch(rtype, rid, headers, body)
        if method == "DELETE":
            return self.delete(rtype, rid, headers)
        return self.error(405, f"{method} not allowed on /{rtype}/{{id}}",
                          headers=[("Allow", "GET, PATCH, DELETE")])

    # -- storage helpers
    def _next_id(self, rtype):
        while True:
            self.counters[rtype] += 1
            rid = f"{self.PREFIX[rtype]}_{self.counters[rtype]:06d}"
            if rid not in self.records[rtype]:
                return rid

    def _dirty(self, rtype):
        self._sorted[rtype] = None

    def _sorted_keys(self, rtype):
        s = self._sorted[rtype]
        if s is None:
            s = sorted((r["updated_at"], r["id"]) for r in self.records[rtype].values())
            self._sorted[rtype] = s
        return s

    @staticmethod
    def _etag(rec):
        return f'"{rec["version"]}"'

    def _record_response(self, status, rec, extra_headers=None):
        h = [("ETag", self._etag(rec))]
        h.extend(extra_headers or [])
        return json_response(status, rec, h)

    @staticmethod
    def _norm_ts(value, fallback):
        if value is None:
            return fallback
        return fmt_ts(parse_ts(value))

    def _body_object(self, body):
        data = parse_json_body(body, lambda s, m: self.error(s, m))
        if not isinstance(data, dict):
            raise HTTPError(self.error(400, "request body must be a JSON object"))
        return data

    def _new_record(self, rtype, fields, rid=None, created=None, updated=None, version=1,
                    deleted=False):
        now = self.clock.now_str()
        rec = {"id": rid or self._next_id(rtype)}
        for k, v in fields.items():
            if k not in self.SERVER_OWNED:
                rec[k] = v
        rec["created_at"] = created or now
        rec["updated_at"] = updated or rec["created_at"]
        rec["version"] = version
        rec["deleted"] = bool(deleted)
        return rec

    def _touch(self, rtype, rec):
        rec["version"] += 1
        rec["updated_at"] = self.clock.now_str()
        self._dirty(rtype)

    # -- if-match
    @staticmethod
    def _etag_matches(header_value, rec):
        want = str(rec["version"])
        for tok in header_value.split(","):
            tok = tok.strip()
            if tok == "*":
                return True
            if tok.startswith("W/"):
                tok = tok[2:]
            tok = tok.strip().strip('"')
            if tok == want:
                return True
        return False

    def _precondition(self, rec, headers):
        im = headers.get("If-Match")
        if im is None or not im.strip():
            raise HTTPError(self.error(428, "If-Match header is required"))
        if not self._etag_matches(im, rec):
            raise HTTPError(self.error(
                412, f"ETag mismatch: current version is {rec['version']}",
                extra={"current_version": rec["version"]},
                headers=[("ETag", self._etag(rec))]))

    # -- endpoints
    def list(self, rtype, query):
        raw_limit = q1(query, "limit")
        if raw_limit is None or raw_limit == "":
            limit = 100
        else:
            try:
                limit = int(raw_limit)
            except ValueError:
                return self.error(400, f"limit must be an integer, got {raw_limit!r}")
            if limit < 1:
                return self.error(400, "limit must be >= 1")
        limit = min(limit, self.page_max)
        include_deleted = truthy(q1(query, "include_deleted", "false"))
        keys = self._sorted_keys(rtype)
        start = 0
        since = q1(query, "updated_since")
        if since:
            try:
                since_s = fmt_ts(ceil_ms(parse_ts(since)))
            except ValueError:
                return self.error(400, f"updated_since is not an RFC 3339 timestamp: {since!r}")
            start = bisect.bisect_left(keys, (since_s, ""))
        cursor = q1(query, "cursor")
        if cursor:
            try:
                pad = "=" * (-len(cursor) % 4)
                c = json.loads(base64.urlsafe_b64decode(cursor + pad).decode("utf-8"))
                ckey = (str(c["u"]), str(c["i"]))
            except Exception:
                return self.error(400, "invalid cursor", "invalid_cursor")
            start = max(start, bisect.bisect_right(keys, ckey))
        store = self.records[rtype]
        out = []
        next_cursor = None
        i = start
        n = len(keys)
        while i < n:
            rec = store[keys[i][1]]
            i += 1
            if rec["deleted"] and not include_deleted:
                continue
            if len(out) == limit:
                last = out[-1]
                raw = dumps({"u": last["updated_at"], "i": last["id"]})
                next_cursor = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
                break
            out.append(rec)
        if self.list_omits:
            out = [{k: v for k, v in r.items() if k not in self.list_omits} for r in out]
        return json_response(200, {"data": out, "next_cursor": next_cursor})

    def get(self, rtype, rid, headers):
        rec = self.records[rtype].get(rid)
        if rec is None or rec["deleted"]:
            return self.error(404, f"{rtype} {rid} not found")
        inm = headers.get("If-None-Match")
        if inm and self._etag_matches(inm, rec):
            return Response(304, b"", [("ETag", self._etag(rec))])
        return self._record_response(200, rec)

    def create(self, rtype, headers, body):
        data = self._body_object(body)
        key = headers.get("Idempotency-Key")
        fp = None
        if key:
            fp = json.dumps(data, sort_keys=True, separators=(",", ":"))
            prior = self.idem.get((rtype, key))
            if prior is not None:
                pfp, status, snapshot = prior
                if pfp != fp:
                    return self.error(422, "Idempotency-Key was already used with a different "
                                           "request body", "idempotency_key_reused")
                return self._record_response(status, snapshot, [
                    ("Location", f"/{rtype}/{snapshot['id']}"),
                    ("Idempotent-Replayed", "true")])
        rec = self._new_record(rtype, data)
        self.records[rtype][rec["id"]] = rec
        self._dirty(rtype)
        self.count_create()
        if key:
            self.idem[(rtype, key)] = (fp, 201, copy.deepcopy(rec))
        return self._record_response(201, rec, [("Location", f"/{rtype}/{rec['id']}")])

    def patch(self, rtype, rid, headers, body):
        rec = self.records[rtype].get(rid)
        if rec is None or rec["deleted"]:
            return self.error(404, f"{rtype} {rid} not found")
        self._precondition(rec, headers)
        data = self._body_object(body)
        self._merge(rec, data)
        self._touch(rtype, rec)
        return self._record_response(200, rec)

    def delete(self, rtype, rid, headers):
        rec = self.records[rtype].get(rid)
        if rec is None or rec["deleted"]:
            return self.error(404, f"{rtype} {rid} not found")
        self._precondition(rec, headers)
        rec["deleted"] = True
        self._touch(rtype, rec)
        return Response(204, b"", [("ETag", self._etag(rec))])

    def _merge(self, rec, data):
        for k, v in data.items():
            if k in self.SERVER_OWNED:
                continue
            rec[k] = v
        # keep server-owned keys at the end for readability
        for k in ("created_at", "updated_at", "version", "deleted"):
            rec[k] = rec.pop(k)

    # -- control
    def _ctl_type(self, rtype):
        if rtype not in self.types:
            raise HTTPError(json_response(404, {"error": "unknown_type",
                                                "message": f"types: {list(self.types)}"}))

    def ctl_list(self, rtype):
        self._ctl_type(rtype)
        keys = self._sorted_keys(rtype)
        return [self.records[rtype][k[1]] for k in keys]

    def ctl_insert(self, rtype, records):
        self._ctl_type(rtype)
        out = []
        for r in records:
            if not isinstance(r, dict):
                raise ValueError("each record must be an object")
            now = self.clock.now_str()
            created = self._norm_ts(r.get("created_at"), None)
            updated = self._norm_ts(r.get("updated_at"), None)
            created = created or updated or now
            updated = updated or created
            rec = self._new_record(rtype, r, rid=str(r["id"]) if r.get("id") else None,
                                   created=created, updated=updated,
                                   version=int(r.get("version", 1) or 1),
                                   deleted=bool(r.get("deleted", False)))
            rec["updated_at"] = updated
            self.records[rtype][rec["id"]] = rec
            out.append(rec)
        self._dirty(rtype)
        return out

    def ctl_patch(self, rtype, rid, partial):
        self._ctl_type(rtype)
        rec = self.records[rtype].get(rid)
        if rec is None:
            return None
        self._merge(rec, partial)
        if "deleted" in partial:
            rec["deleted"] = bool(partial["deleted"])
        self._touch(rtype, rec)
        return rec

    def ctl_delete(self, rtype, rid):
        self._ctl_type(rtype)
        rec = self.records[rtype].get(rid)
        if rec is None:
            return None
        if not rec["deleted"]:
            rec["deleted"] = True
            self._touch(rtype, rec)
        return rec


# ---------------------------------------------------------------------------
# Cin7 flavour
# ---------------------------------------------------------------------------

_CIN7_CONTACT = {"ID": None, "Name": "", "JobTitle": "", "Phone": "", "MobilePhone": "", "Fax": "",
                 "Email": "", "Website": "", "Default": False, "Comment": "",
                 "IncludeInEmail": False}
_CIN7_ADDRESS = {"ID": None, "Type": "Billing", "Line1": "", "Line2": "", "City": "", "State": "",
                 "Postcode": "", "Country": "", "DefaultForType": False}
_CIN7_LINE = {"ID": None, "ProductID": None, "ProductName": "", "ProductSku": "", "Quantity": 0,
              "Price": 0, "Discount": 0, "Tax": 0, "Total": 0, "TaxRule": "", "TaxPercent": 0,
              "Comment": ""}
_CIN7_CHARGE = {"ID": None, "Description": "", "Quantity": 0, "Amount": 0, "Discount": 0, "Tax": 0,
                "Total": 0, "TaxRule": "", "TaxPercent": 0, "Comment": ""}

CIN7_TEMPLATES = {
    "lead": {
        "ID": None, "Name": "", "Currency": "USD", "LeadStatus": "NEW", "CloseChance": 0,
        "PaymentTerm": "", "TaxRule": "", "SalesRepresentative": "", "Comments": "",
        "PriceTier": "", "CloseDate": None, "Amount": 0, "Addresses": [], "Contacts": [],
    },
    "opportunity": dict(
        [("ID", None), ("CustomerID", None), ("LeadID", None), ("CustomerName", ""),
         ("Contact", ""), ("Phone", ""), ("DefaultAccount", ""), ("BillingAddressLine1", ""),
         ("BillingAddressLine2", ""), ("Currency", "USD"), ("TaxPercent", 0),
         ("TaxInclusive", False), ("TaxRule", ""), ("TermDays", 0), ("Terms", ""),
         ("PriceTier", ""), ("ShippingAddressLine1", ""), ("ShippingAddressLine2", ""),
         ("OpportunityLocation", ""), ("OpportunityNumber", None), ("OpportunityDate", None),
         ("OpportunityComment", ""), ("OpportunityMemo", ""), ("OpportunityStatus", "DRAFT"),
         ("TaxTotal", 0), ("Total", 0), ("CustomerReference", ""),
         ("CurrencyConversionRate", 1), ("CustomerCurrency", "USD"), ("TermMethod", 1),
         ("SalesRepresentative", ""), ("TermDueNextMonth", 0), ("ShipToOther", False),
         ("ShipToCompany", ""), ("ShipToContact", ""), ("ShipToCountry", ""),
         ("ShipToPostCode", ""), ("ShipToState", ""), ("ShipToCity", ""),
         ("ShipToAddress1", ""), ("ShipToAddress2", "")]
        + [(f"CustomField{i}", "") for i in range(1, 11)]
        + [("Lines", []), ("AdditionalCharges", [])]),
    "task": {
        "ID": None, "Name": "", "Description": None, "StartDate": None, "EndDate": None,
        "IsAllDay": False, "CompletedDate": None, "Category": None, "WorkflowName": None,
        "AssignedTo": None, "EntityType": None, "EntityID": None, "IsImportant": False,
        "TaskStatus": "Open", "AssignedBy": None, "VoidDate": None,
    },
}
CIN7_NESTED = {"Contacts": _CIN7_CONTACT, "Addresses": _CIN7_ADDRESS, "Lines": _CIN7_LINE,
               "AdditionalCharges": _CIN7_CHARGE}
CIN7_LIST_KEY = {"lead": "LeadList", "opportunity": "opportunityList", "task": "Tasks"}
CIN7_REQUIRED = {"lead": "Name", "opportunity": "CustomerName", "task": "Name"}
CIN7_PREFIX = "/externalapi/v2/crm/"


class Cin7Flavor(Flavor):
    name = "cin7"
    types = ("lead", "opportunity", "task")

    def __init__(self, state, args):
        super().__init__(state, args)
        self.account_id = args.account_id or os.environ.get("CIN7_ACCOUNT_ID") or "test-account"
        self.app_key = args.app_key or os.environ.get("CIN7_APPLICATION_KEY") or "test-key"
        self.strict = args.cin7_strict
        self.lenient = args.lenient
        self.reset()

    def reset(self):
        self.records = {t: {} for t in self.types}   # dict keeps insertion order
        self.modified = {t: {} for t in self.types}  # hidden modification time (datetime)
        self.opp_counter = 0
        self.sales = {}   # ID -> Sale (header with Quote and Order)
        self.sale_counter = 0

    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- errors
    def error(self, status, message, code=None, headers=None):
        return json_response(status, [{"ErrorCode": status, "Exception": message}], headers)

    def throttle_response(self, retry_after):
        lim = self.state.limiter
        return self.error(503, f"You have reached {lim.limit} calls per "
                               f"{int(lim.window) if lim.window == int(lim.window) else lim.window}"
                               f" seconds API limit.")

    def fault_response(self, status, retry_headers):
        if status == 503:
            return self.error(503, "You have reached 60 calls per 60 seconds API limit.",
                              headers=retry_headers)
        if status == 429:
            return self.error(429, "Too many requests", headers=retry_headers)
        return self.error(status, "An unexpected error occurred while processing the request.")

    # -- routing
    def _rtype(self, path):
        p = path.lower().rstrip("/")
        if p.startswith(CIN7_PREFIX):
            rest = p[len(CIN7_PREFIX):]
            if rest in self.types:
                return rest
        return None

    def route_key(self, method, path):
        rtype = self._rtype(path)
        if rtype:
            return f"{method} /ExternalApi/v2/crm/{rtype}"
        return f"{method} {path}"

    def dispatch(self, method, path, query, headers, body):
        if (headers.get("api-auth-accountid") != self.account_id
                or headers.get("api-auth-applicationkey") != self.app_key):
            raise HTTPError(self.error(403, "Incorrect credentials!"))
        sale = self._sale_route(path)
        if sale is not None:
            return self.sale_dispatch(method, sale, {k.lower(): v for k, v in query.items()}, body)
        rtype = self._rtype(path)
        if rtype is None:
            return self.error(404, f"Endpoint {path} does not exist")
        lq = {k.lower(): v for k, v in query.items()}
        if method == "GET":
            return self.list(rtype, lq)
        if method == "POST":
            return self.create(rtype, body)
        if method == "PUT":
            return self.update(rtype, body)
        return self.error(405, f"The requested resource does not support http method '{method}'.")

    def _envelope(self, rtype, items, total, page):
        return {"Total": total, "Page": page, CIN7_LIST_KEY[rtype]: items}

    def _body_object(self, body):
        data = parse_json_body(body, lambda s, m: self.error(s, m))
        if not isinstance(data, dict):
            raise HTTPError(self.error(400, "The request body must be a JSON object."))
        return data

    def _int_param(self, lq, name, default, lo, hi):
        raw = q1(lq, name.lower())
        if raw is None or raw == "":
            return default
        try:
            v = int(raw)
        except ValueError:
            raise HTTPError(self.error(400, f"{name} must be an integer."))
        if v < lo or (hi is not None and v > hi):
            raise HTTPError(self.error(400, f"{name} must be between {lo} and {hi}."
                                       if hi else f"{name} must be >= {lo}."))
        return v

    def list(self, rtype, lq):
        page = self._int_param(lq, "Page", 1, 1, None)
        limit = self._int_param(lq, "Limit", 100, 1, 1000)
        items = list(self.records[rtype].values())
        rid = q1(lq, "id")
        if rid:
            items = [r for r in items if str(r.get("ID", "")).lower() == rid.lower()]
        name = q1(lq, "name")
        if name and not (self.strict and rtype == "opportunity"):
            items = [r for r in items if str(r.get("Name") or "").casefold() == name.casefold()]
        ms = q1(lq, "modifiedsince")
        if ms and not (self.strict and rtype == "task"):
            try:
                since = parse_ts(ms)
            except ValueError:
                return self.error(400, f"ModifiedSince is not a valid date: {ms}")
            mod = self.modified[rtype]
            items = [r for r in items if mod[r["ID"]] >= since]
        if rtype == "task":
            for param, field in (("category", "Category"), ("assignedto", "AssignedTo")):
                val = q1(lq, param)
                if val:
                    items = [r for r in items if str(r.get(field) or "").casefold() == val.casefold()]
        total = len(items)
        start = (page - 1) * limit
        return json_response(200, self._envelope(rtype, items[start:start + limit], total, page))

    def _fill(self, rtype, data, existing=None):
        """Build a full record: template defaults < existing < data; nested lists get IDs."""
        rec = copy.deepcopy(CIN7_TEMPLATES[rtype]) if existing is None else existing
        for k, v in data.items():
            if k == "ID":
                continue
            if k in CIN7_NESTED and isinstance(v, list):
                tmpl = CIN7_NESTED[k]
                items = []
                for item in v:
                    if isinstance(item, dict):
                        full = copy.deepcopy(tmpl)
                        full.update(item)
                        if not full.get("ID"):
                            full["ID"] = self.guid()
                        items.append(full)
                    else:
                        items.append(item)
                rec[k] = items
            else:
                rec[k] = v
        return rec

    def _validate(self, rtype, rec):
        if self.lenient:
            return
        field = CIN7_REQUIRED[rtype]
        if not str(rec.get(field) or "").strip():
            raise HTTPError(self.error(400, f"{field} is required."))

    def _insert(self, rtype, data, keep_id=False, modified=None):
        rec = self._fill(rtype, data)
        rec["ID"] = str(data["ID"]) if keep_id and data.get("ID") else self.guid()
        if rtype == "opportunity":
            if not rec.get("OpportunityNumber"):
                self.opp_counter += 1
                rec["OpportunityNumber"] = f"OP-{self.opp_counter:05d}"
            if not rec.get("OpportunityDate"):
                rec["OpportunityDate"] = fmt_cin7_date(self.clock.now())
        self.records[rtype][rec["ID"]] = rec
        self.modified[rtype][rec["ID"]] = modified or self.clock.now()
        return rec

    def create(self, rtype, body):
        data = self._body_object(body)
        probe = self._fill(rtype, data)
        self._validate(rtype, probe)
        rec = self._insert(rtype, data)
        self.count_create()
        return json_response(200, self._envelope(rtype, [rec], 1, 1))

    def _find(self, rtype, rid):
        store = self.records[rtype]
        rec = store.get(rid)
        if rec is None:
            low = str(rid).lower()
            for k, v in store.items():
                if k.lower() == low:
                    return v
        return rec

    def update(self, rtype, body):
        data = self._body_object(body)
        rid = data.get("ID")
        if not rid:
            return self.error(400, "ID is required.")
        rec = self._find(rtype, str(rid))
        if rec is None:
            return self.error(404, f"{rtype.capitalize()} with ID {rid} not found.")
        probe = self._fill(rtype, data, copy.deepcopy(rec))
        self._validate(rtype, probe)
        self._fill(rtype, data, rec)
        self.modified[rtype][rec["ID"]] = self.clock.now()
        return json_response(200, self._envelope(rtype, [rec], 1, 1))

    # -- sales (Sale API v2: header, then its quote or order; as the public reference and clients describe it:
    # POST /sale needs Customer or CustomerID and a Location, answers the Sale with its ID; POST /sale/quote and
    # /sale/order take SaleID, Status DRAFT|AUTHORISED and Lines (Name, Quantity, Price, Tax, TaxRule required; Total,
    # when given, is checked); a sale created with SkipQuote takes no quote. GET /saleList?Search= matches
    # OrderNumber, Status, Customer and CustomerReference; GET /sale?ID= answers the whole sale.)
    def _sale_route(self, path):
        p = path.lower().rstrip("/")
        for tail in ("/externalapi/v2/sale/quote", "/externalapi/v2/sale/order", "/externalapi/v2/salelist",
                     "/externalapi/v2/sale"):
            if p == tail:
                return tail.rsplit("/", 1)[1] if tail.endswith(("quote", "order")) else tail.rsplit("/", 1)[1]
        return None

    def sale_dispatch(self, method, route, lq, body):
        if route == "salelist" and method == "GET":
            return self.sale_list(lq)
        if route == "sale" and method == "GET":
            sale = self.sales.get(q1(lq, "id") or "")
            if sale is None:
                return self.error(404, "Sale not found.")
            return json_response(200, sale)
        if route == "sale" and method == "POST":
            return self.sale_create(self._body_object(body))
        if route in ("quote", "order") and method == "POST":
            return self.sale_document(route, self._body_object(body))
        return self.error(405, f"The requested resource does not support http method '{method}'.")

    def sale_create(self, data):
        if not str(data.get("Customer") or "").strip() and not str(data.get("CustomerID") or "").strip():
            return self.error(400, "Customer is required if CustomerID not provided.")
        if not self.lenient and not str(data.get("Location") or "").strip():
            return self.error(400, "Location is required.")
        self.sale_counter += 1
        skip = str(data.get("SkipQuote")).lower() == "true"
        sale = dict(data)
        sale.update({
            "ID": self.guid(), "Status": "ORDERING" if skip else "ESTIMATING", "OrderNumber": f"SO-{self.sale_counter:05d}",
            "SkipQuote": skip, "Quote": {"Status": "NOT AVAILABLE" if skip else "DRAFT", "Lines": []},
            "Order": {"Status": "NOT AVAILABLE", "Lines": []},
        })
        self.sales[sale["ID"]] = sale
        self.count_create()
        return json_response(200, sale)

    def sale_document(self, kind, data):
        sale = self.sales.get(str(data.get("SaleID") or ""))
        if sale is None:
            return self.error(400, f"Sale with ID {data.get('SaleID')} not found.")
        if kind == "quote" and sale["SkipQuote"]:
            return self.error(400, "Quote can not be created for a sale created with SkipQuote.")
        current = sale["Quote" if kind == "quote" else "Order"]["Status"]
        if current not in ("DRAFT", "NOT AVAILABLE"):
            return self.error(400, f"{kind.capitalize()} with status {current} can not be changed.")
        status = data.get("Status")
        if status not in ("DRAFT", "AUTHORISED"):
            return self.error(400, "Status should be DRAFT or AUTHORISED.")
        lines = data.get("Lines")
        if not isinstance(lines, list) or not lines:
            return self.error(400, "Lines are required.")
        total = 0.0
        for n, line in enumerate(lines, 1):
            if not isinstance(line, dict):
                return self.error(400, f"Line {n} must be an object.")
            for field in ("Name", "Quantity", "Price", "Tax", "TaxRule"):
                if line.get(field) in (None, ""):
                    return self.error(400, f"Line {n}: {field} is required.")
            try:
                qty, price = float(line["Quantity"]), float(line["Price"])
                discount = float(line.get("Discount") or 0)
            except (TypeError, ValueError):
                return self.error(400, f"Line {n}: Quantity, Price and Discount must be numbers.")
            if qty <= 0:
                return self.error(400, f"Line {n}: Quantity must be greater than 0.")
            expected = round(qty * price * (1 - discount / 100), 2)
            if line.get("Total") is not None and abs(float(line["Total"]) - expected) > 0.011:
                return self.error(400, f"Line {n}: Total {line['Total']} is not Quantity x Price less Discount ({expected}).")
            total += expected
        doc = {"SaleID": sale["ID"], "Status": status, "Memo": data.get("Memo", ""), "Lines": lines,
               "TotalBeforeTax": round(total, 2), "Tax": 0, "Total": round(total, 2)}
        if kind == "order":
            doc["SaleOrderNumber"] = sale["OrderNumber"]
            sale["Status"] = "ORDERED" if status == "AUTHORISED" else "ORDERING"
        else:
            sale["Status"] = "ESTIMATED" if status == "AUTHORISED" else "ESTIMATING"
        sale["Quote" if kind == "quote" else "Order"] = doc
        return json_response(200, doc)

    def sale_list(self, lq):
        page = self._int_param(lq, "Page", 1, 1, None)
        limit = self._int_param(lq, "Limit", 100, 1, 1000)
        items = [{"SaleID": x["ID"], "OrderNumber": x["OrderNumber"], "Status": x["Status"], "Customer": x.get("Customer", ""),
                  "CustomerReference": x.get("CustomerReference", ""), "QuoteStatus": x["Quote"]["Status"],
                  "OrderStatus": x["Order"]["Status"]} for x in self.sales.values()]
        search = (q1(lq, "search") or "").casefold()
        if search:
            items = [i for i in items if any(search in str(i[k]).casefold()
                                             for k in ("OrderNumber", "Status", "Customer", "CustomerReference"))]
        start = (page - 1) * limit
        return json_response(200, {"Total": len(items), "Page": page, "SaleList": items[start:start + limit]})

    # -- control
    def _ctl_type(self, rtype):
        rtype = rtype.lower()
        if rtype not in self.types:
            raise HTTPError(json_response(404, {"error": "unknown_type",
                                                "message": f"types: {list(self.types)}"}))
        return rtype

    def ctl_list(self, rtype):
        if rtype.lower() == "sale":
            return list(self.sales.values())
        rtype = self._ctl_type(rtype)
        return list(self.records[rtype].values())

    def ctl_extra(self, rtype):
        if rtype.lower() == "sale":
            return {}
        rtype = self._ctl_type(rtype)
        return {"modified": {k: fmt_ts(v) for k, v in self.modified[rtype].items()}}

    def ctl_insert(self, rtype, records):
        rtype = self._ctl_type(rtype)
        out = []
        for r in records:
            if not isinstance(r, dict):
                raise ValueError("each record must be an object")
            r = dict(r)
            mod = r.pop("_modified", None)
            out.append(self._insert(rtype, r, keep_id=True,
                                    modified=parse_ts(mod) if mod else None))
        return out

    def ctl_patch(self, rtype, rid, partial):
        rtype = self._ctl_type(rtype)
        rec = self._find(rtype, rid)
        if rec is None:
            return None
        partial = dict(partial)
        mod = partial.pop("_modified", None)
        self._fill(rtype, partial, rec)
        self.modified[rtype][rec["ID"]] = parse_ts(mod) if mod else self.clock.now()
        return rec

    def ctl_delete(self, rtype, rid):
        rtype = self._ctl_type(rtype)
        rec = self._find(rtype, rid)
        if rec is None:
            return None
        del self.records[rtype][rec["ID"]]
        del self.modified[rtype][rec["ID"]]
        return rec


# ---------------------------------------------------------------------------
# HubSpot flavour
# ---------------------------------------------------------------------------

HS_OBJECT_RE = re.compile(r"^/crm/v3/objects/([^/]+)(?:/(.*))?$")
HS_REQUIRED = {"deals": ("dealname", "dealstage"), "tasks": ("hs_timestamp",), "contacts": ()}
HS_SEARCH_MAX_RESULTS = 10000


class HubSpotFlavor(Flavor):
    name = "hubspot"
    types = ("contacts", "deals", "tasks")

    def __init__(self, state, args):
        super().__init__(state, args)
        self.token = args.token or os.environ.get("HUBSPOT_TOKEN") or "test-token"
        self.unique_props = [p.strip() for p in (args.unique_props or "").split(",") if p.strip()]
        self.lenient = args.lenient
        self.reset()

    def reset(self):
        self.objects = {t: {} for t in self.types}
        # unique-property index over live (not archived) objects: obj -> prop -> value -> id
        self.index = {t: {p: {} for p in self._unique_keys(t)} for t in self.types}
        self.counter = 100

    # -- errors
    def _corr(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def error(self, status, message, code=None, headers=None, extra=None):
        category = code or {400: "VALIDATION_ERROR", 401: "INVALID_AUTHENTICATION",
                            404: "OBJECT_NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                            409: "CONFLICT", 429: "RATE_LIMITS", 500: "INTERNAL_ERROR",
                            503: "SERVICE_UNAVAILABLE"}.get(status, "ERROR")
        body = {"status": "error", "message": message, "correlationId": self._corr(),
                "category": category}
        if extra:
            body.update(extra)
        return json_response(status, body, headers)

    def _rate_body(self):
        return {"status": "error", "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT", "correlationId": self._corr(),
                "policyName": "SECONDLY", "groupName": "publicapi:private-app:crm-remote"}

    def throttle_response(self, retry_after):
        lim = self.state.limiter
        return json_response(429, self._rate_body(), [
            ("Retry-After", str(retry_after)),
            ("X-HubSpot-RateLimit-Max", str(lim.limit)),
            ("X-HubSpot-RateLimit-Remaining", "0"),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", str(int(lim.window * 1000)))])

    def fault_response(self, status, retry_headers):
        if status == 429:
            return json_response(429, self._rate_body(), retry_headers)
        msg = {503: "Service Unavailable", 500: "internal error"}.get(status, "error")
        return self.error(status, msg, headers=retry_headers if status == 503 else None)

    # -- routing
    def route_key(self, method, path):
        m = HS_OBJECT_RE.match(path.rstrip("/") if path != "/" else path)
        if not m:
            return f"{method} {path}"
        obj, rest = m.group(1), m.group(2)
        base = f"/crm/v3/objects/{obj}"
        if not rest:
            return f"{method} {base}"
        if rest == "search" or rest.startswith("batch/"):
            return f"{method} {base}/{rest}"
        return f"{method} {base}/{{id}}"

    def dispatch(self, method, path, query, headers, body):
        auth = headers.get("Authorization") or ""
        if auth[:7].lower() != "bearer " or auth[7:].strip() != self.token:
            raise HTTPError(self.error(
                401, "Authentication credentials not found. This API supports OAuth 2.0 "
                     "authentication and you can find more details at "
                     "https://developers.hubspot.com/docs/methods/auth/oauth-overview"))
        m = HS_OBJECT_RE.match(path.rstrip("/"))
        if not m:
            return self.error(404, f"No route for {method} {path}", "NOT_FOUND")
        obj, rest = m.group(1), m.group(2)
        if obj not in self.types:
            return self.error(400, f"Unable to infer object type from: {obj}")
        if not rest:
            if method == "GET":
                return self.list(obj, query)
            if method == "POST":
                return self.create(obj, body)
        elif rest == "search":
            if method == "POST":
                return self.search(obj, body)
        elif rest.startswith("batch/"):
            if method == "POST":
                op = rest[len("batch/"):]
                fn = {"create": self.batch_create, "update": self.batch_update,
                      "upsert": self.batch_upsert, "read": self.batch_read,
                      "archive": self.batch_archive}.get(op)
                if fn is None:
                    return self.error(404, f"No route for {method} {path}", "NOT_FOUND")
                return fn(obj, query, body)
        elif "/" not in rest:
            oid = urllib.parse.unquote(rest)
            if method == "GET":
                return self.get(obj, oid, query)
            if method == "PATCH":
                return self.patch(obj, oid, query, body)
            if method == "DELETE":
                return self.archive(obj, oid, query)
        else:
            return self.error(404, f"No route for {method} {path}", "NOT_FOUND")
        return self.error(405, f"Method {method} not allowed for {path}")

    # -- helpers
    @staticmethod
    def _prop_str(v):
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else repr(v)
        if isinstance(v, (dict, list)):
            return json.dumps(v, separators=(",", ":"))
        return str(v)

    def _system_props(self, obj):
        props = ["hs_object_id", "createdate", "hs_lastmodifieddate"]
        if obj == "contacts":
            props.append("lastmodifieddate")
        if obj == "tasks":
            props.append("hs_createdate")
        return props

    def _readonly(self, obj):
        return set(self._system_props(obj))

    def _stamp(self, obj, o, created=None, updated=None):
        now = self.clock.now_str()
        if created:
            o["createdAt"] = created
            o["properties"]["createdate"] = created
            if obj == "tasks":
                o["properties"]["hs_createdate"] = created
        upd = updated or now
        o["updatedAt"] = upd
        o["properties"]["hs_lastmodifieddate"] = upd
        if obj == "contacts":
            o["properties"]["lastmodifieddate"] = upd

    def _index_update(self, obj, o, add):
        for prop, idx in self.index[obj].items():
            v = o["properties"].get(prop)
            if v is None:
                continue
            nv = self._norm_unique(prop, v)
            if add:
                idx[nv] = o["id"]
            elif idx.get(nv) == o["id"]:
                del idx[nv]

    def _apply_props(self, obj, o, props):
        ro = self._readonly(obj)
        if not o["archived"]:
            self._index_update(obj, o, False)
        for k, v in props.items():
            if k in ro:
                continue
            s = self._prop_str(v)
            if s is None or s == "":
                o["properties"].pop(k, None)
            else:
                o["properties"][k] = s
        if not o["archived"]:
            self._index_update(obj, o, True)

    def _unique_keys(self, obj):
        keys = list(self.unique_props)
        if obj == "contacts":
            keys.insert(0, "email")
        return keys

    @staticmethod
    def _norm_unique(prop, v):
        return v.casefold() if prop == "email" else v

    def _find_by(self, obj, prop, value, include_archived=False):
        if value is None:
            return None
        if prop in (None, "", "hs_object_id"):
            o = self.objects[obj].get(str(value))
            if o and (include_archived or not o["archived"]):
                return o
            return None
        want = self._norm_unique(prop, str(value))
        idx = self.index[obj].get(prop)
        if idx is not None and not include_archived:
            oid = idx.get(want)
            return self.objects[obj].get(oid) if oid is not None else None
        for o in self.objects[obj].values():
            if o["archived"] and not include_archived:
                continue
            v = o["properties"].get(prop)
            if v is not None and self._norm_unique(prop, v) == want:
                return o
        return None

    def _conflict(self, obj, props, self_id=None):
        for prop in self._unique_keys(obj):
            if prop not in props:
                continue
            val = self._prop_str(props[prop])
            if not val:
                continue
            other = self._find_by(obj, prop, val)
            if other is not None and other["id"] != self_id:
                if prop == "email":
                    msg = f"Contact already exists. Existing ID: {other['id']}"
                else:
                    msg = (f"A {obj[:-1]} with the unique value {val!r} for property "
                           f"{prop!r} already exists. Existing ID: {other['id']}")
                return self.error(409, msg, "CONFLICT")
        return None

    def _missing_required(self, obj, props):
        if self.lenient:
            return None
        missing = [p for p in HS_REQUIRED[obj] if not self._prop_str(props.get(p))]
        if missing:
            return self.error(400, "Property values were not valid: " + ", ".join(
                f'{{"isValid":false,"message":"{p} is required","error":"REQUIRED_PROPERTY",'
                f'"name":"{p}"}}' for p in missing))
        return None

    def _new_object(self, obj, props, oid=None, created=None, updated=None, archived=False):
        if oid is None:
            while True:
                self.counter += 1
                if str(self.counter) not in self.objects[obj]:
                    break
            oid = str(self.counter)
        elif oid in self.objects[obj]:
            old = self.objects[obj][oid]
            if not old["archived"]:
                self._index_update(obj, old, False)
        now = self.clock.now_str()
        o = {"id": oid, "properties": {}, "createdAt": created or now,
             "updatedAt": updated or created or now, "archived": bool(archived)}
        o["properties"]["hs_object_id"] = oid
        self._apply_props(obj, o, props)
        self._stamp(obj, o, created=o["createdAt"], updated=o["updatedAt"])
        if archived:
            o["archivedAt"] = o["updatedAt"]
        self.objects[obj][oid] = o
        return o

    def _view(self, obj, o, props_wanted=None, extra=None):
        if props_wanted:
            p = {}
            for name in list(props_wanted) + self._system_props(obj):
                p[name] = o["properties"].get(name)
        else:
            p = dict(o["properties"])
        v = {"id": o["id"], "properties": p, "createdAt": o["createdAt"],
             "updatedAt": o["updatedAt"], "archived": o["archived"]}
        if o["archived"]:
            v["archivedAt"] = o.get("archivedAt", o["updatedAt"])
        if extra:
            v.update(extra)
        return v

    @staticmethod
    def _props_param(query):
        vals = query.get("properties") or []
        out = []
        for v in vals:
            out.extend(x.strip() for x in v.split(",") if x.strip())
        return out

    def _body_object(self, body):
        data = parse_json_body(body, lambda s, m: self.error(s, m))
        if not isinstance(data, dict):
            raise HTTPError(self.error(400, "Invalid input JSON: expected an object"))
        return data

    def _properties_of(self, item):
        props = item.get("properties", {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raise HTTPError(self.error(400, "Invalid input JSON: properties must be an object"))
        return props

    # -- endpoints
    def list(self, obj, query):
        raw = q1(query, "limit", "10")
        try:
            limit = int(raw)
        except ValueError:
            return self.error(400, f"Invalid limit: {raw}")
        if limit < 1:
            return self.error(400, "limit must be >= 1")
        limit = min(limit, 100)
        archived = truthy(q1(query, "archived", "false"))
        after = q1(query, "after")
        after_n = -1
        if after:
            try:
                after_n = int(after)
            except ValueError:
                return self.error(400, f"Invalid after cursor: {after}")
        wanted = self._props_param(query)
        items = sorted((o for o in self.objects[obj].values()
                        if o["archived"] == archived and int(o["id"]) > after_n),
                       key=lambda o: int(o["id"]))
        page = items[:limit]
        body = {"results": [self._view(obj, o, wanted) for o in page]}
        if len(items) > limit:
            nxt = page[-1]["id"]
            body["paging"] = {"next": {
                "after": nxt,
                "link": f"http://127.0.0.1:{self.state.port}/crm/v3/objects/{obj}"
                        f"?limit={limit}&after={nxt}"}}
        return json_response(200, body)

    def get(self, obj, oid, query):
        archived = truthy(q1(query, "archived", "false"))
        o = self._find_by(obj, q1(query, "idProperty"), oid, include_archived=archived)
        if o is None or (o["archived"] and not archived):
            return self.error(404, "Object not found.  objectId are usually numeric.",
                              extra={"context": {"id": [oid]}})
        return json_response(200, self._view(obj, o, self._props_param(query)))

    def create(self, obj, body):
        data = self._body_object(body)
        props = self._properties_of(data)
        err = self._missing_required(obj, props) or self._conflict(obj, props)
        if err:
            return err
        o = self._new_object(obj, props)
        self.count_create()
        return json_response(201, self._view(obj, o))

    def patch(self, obj, oid, query, body):
        data = self._body_object(body)
        props = self._properties_of(data)
        o = self._find_by(obj, q1(query, "idProperty"), oid)
        if o is None:
            return self.error(404, "Object not found.  objectId are usually numeric.",
                              extra={"context": {"id": [oid]}})
        err = self._conflict(obj, props, self_id=o["id"])
        if err:
            return err
        self._apply_props(obj, o, props)
        self._stamp(obj, o)
        return json_response(200, self._view(obj, o))

    def archive(self, obj, oid, query):
        o = self._find_by(obj, q1(query, "idProperty"), oid)
        if o is not None:
            self._archive(obj, o)
        return Response(204)

    def _archive(self, obj, o):
        self._index_update(obj, o, False)
        o["archived"] = True
        self._stamp(obj, o)
        o["archivedAt"] = o["updatedAt"]

    # -- search
    @staticmethod
    def _coerce(v):
        """Returns a comparable (kind, value): numbers / timestamps as float ms, else casefold."""
        if v is None:
            return None
        if isinstance(v, bool):
            return ("s", "true" if v else "false")
        if isinstance(v, (int, float)):
            return ("n", float(v))
        s = str(v)
        try:
            return ("n", float(s))
        except ValueError:
            pass
        if len(s) >= 10 and s[4:5] == "-" and s[7:8] == "-":
            try:
                return ("n", float(to_epoch_ms(parse_ts(s))))
            except ValueError:
                pass
        return ("s", s.casefold())

    def _prop_value(self, o, name):
        if name in ("hs_object_id", "id"):
            return o["id"]
        return o["properties"].get(name)

    def _filter_ok(self, o, f):
        op = str(f.get("operator", "EQ")).upper()
        name = f.get("propertyName")
        raw = self._prop_value(o, name)
        if op == "HAS_PROPERTY":
            return raw is not None and raw != ""
        if op == "NOT_HAS_PROPERTY":
            return raw is None or raw == ""
        if raw is None:
            return op in ("NEQ", "NOT_IN")
        a = self._coerce(raw)
        if op in ("IN", "NOT_IN"):
            vals = [self._coerce(x) for x in (f.get("values") or [])]
            hit = a in vals
            return hit if op == "IN" else not hit
        if op == "CONTAINS_TOKEN":
            tok = str(f.get("value", "")).casefold().strip("*")
            return tok in str(raw).casefold()
        if op == "NOT_CONTAINS_TOKEN":
            tok = str(f.get("value", "")).casefold().strip("*")
            return tok not in str(raw).casefold()
        b = self._coerce(f.get("value"))
        if op == "BETWEEN":
            hi = self._coerce(f.get("highValue"))
            return b is not None and hi is not None and a[0] == b[0] == hi[0] \
                and b[1] <= a[1] <= hi[1]
        if b is None:
            return False
        if a[0] != b[0]:
            a, b = ("s", str(raw).casefold()), ("s", str(f.get("value")).casefold())
        if op == "EQ":
            return a[1] == b[1]
        if op == "NEQ":
            return a[1] != b[1]
        if op == "LT":
            return a[1] < b[1]
        if op == "LTE":
            return a[1] <= b[1]
        if op == "GT":
            return a[1] > b[1]
        if op == "GTE":
            return a[1] >= b[1]
        raise HTTPError(self.error(400, f"Unsupported operator {op}"))

    def search(self, obj, body):
        data = self._body_object(body)
        groups = data.get("filterGroups") or []
        if not isinstance(groups, list) or len(groups) > 5:
            return self.error(400, "There was a problem with the request: at most 5 filterGroups "
                                   "are allowed")
        total_filters = 0
        for g in groups:
            fs = g.get("filters") or []
            total_filters += len(fs)
            if len(fs) > 10:
                return self.error(400, "at most 10 filters per filterGroup are allowed")
        if total_filters > 25:
            return self.error(400, "at most 25 filters are allowed")
        try:
            limit = int(data.get("limit", 10) or 10)
            after = int(data.get("after", 0) or 0)
        except (TypeError, ValueError):
            return self.error(400, "limit and after must be integers")
        if limit < 1 or limit > 200:
            return self.error(400, "limit must be between 1 and 200")
        if after < 0:
            return self.error(400, "after must be >= 0")
        if after >= HS_SEARCH_MAX_RESULTS:
            return self.error(400, "There was a problem with the request: the search API can "
                                   f"not page past {HS_SEARCH_MAX_RESULTS} results "
                                   f"(after={after}).")
        items = [o for o in self.objects[obj].values() if not o["archived"]]
        if groups:
            items = [o for o in items
                     if any(all(self._filter_ok(o, f) for f in (g.get("filters") or []))
                            for g in groups)]
        q = data.get("query")
        if q:
            ql = str(q).casefold()
            items = [o for o in items if any(ql in str(v).casefold()
                                             for v in o["properties"].values())]
        items.sort(key=lambda o: int(o["id"]))
        sorts = data.get("sorts") or []
        for s in reversed(sorts[:1]):
            if isinstance(s, str):
                desc = s.startswith("-")
                name = s.lstrip("-")
            else:
                name = s.get("propertyName")
                desc = str(s.get("direction", "ASCENDING")).upper().startswith("DESC")
            present = [o for o in items if self._prop_value(o, name) not in (None, "")]
            absent = [o for o in items if self._prop_value(o, name) in (None, "")]

            def key(o, name=name):
                c = self._coerce(self._prop_value(o, name))
                return (0, c[1], "") if c[0] == "n" else (1, 0.0, c[1])
            present.sort(key=key, reverse=desc)
            items = present + absent
        total = len(items)
        end = min(after + limit, total, HS_SEARCH_MAX_RESULTS)
        page = items[after:end]
        wanted = data.get("properties") or None
        body_out = {"total": total, "results": [self._view(obj, o, wanted) for o in page]}
        if end < min(total, HS_SEARCH_MAX_RESULTS):
            body_out["paging"] = {"next": {"after": str(end)}}
        return json_response(200, body_out)

    # -- batch
    def _inputs(self, body):
        data = self._body_object(body)
        inputs = data.get("inputs")
        if not isinstance(inputs, list):
            raise HTTPError(self.error(400, "Invalid input JSON: inputs must be an array"))
        if len(inputs) > 100:
            raise HTTPError(self.error(
                400, f"Batch input size {len(inputs)} exceeds the limit of 100 inputs"))
        for i in inputs:
            if not isinstance(i, dict):
                raise HTTPError(self.error(400, "Invalid input JSON: inputs must be objects"))
        return data, inputs

    def _batch_body(self, results, started, errors=None):
        body = {"status": "COMPLETE", "results": results, "startedAt": started,
                "completedAt": self.clock.now_str()}
        if errors:
            body["numErrors"] = len(errors)
            body["errors"] = errors
        return body

    def batch_create(self, obj, query, body):
        started = self.clock.now_str()
        _, inputs = self._inputs(body)
        props_list = [self._properties_of(i) for i in inputs]
        for props in props_list:
            err = self._missing_required(obj, props) or self._conflict(obj, props)
            if err:
                return err
        # duplicates inside the batch
        for prop in self._unique_keys(obj):
            seen = {}
            for props in props_list:
                v = self._prop_str(props.get(prop))
                if not v:
                    continue
                nv = self._norm_unique(prop, v)
                if nv in seen:
                    return self.error(409, f"Duplicate value {v!r} for unique property {prop!r} "
                                           f"in batch input", "CONFLICT")
                seen[nv] = True
        results = [self._view(obj, self._new_object(obj, props)) for props in props_list]
        self.count_create(len(results))
        return json_response(201, self._batch_body(results, started))

    def batch_update(self, obj, query, body):
        started = self.clock.now_str()
        _, inputs = self._inputs(body)
        ids = [str(i.get("id")) for i in inputs]
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            return self.error(400, f"Duplicate IDs found in batch input: {sorted(dup)}")
        results, missing = [], []
        targets = []
        for i in inputs:
            o = self._find_by(obj, i.get("idProperty"), i.get("id"))
            if o is None:
                missing.append(str(i.get("id")))
                continue
            props = self._properties_of(i)
            err = self._conflict(obj, props, self_id=o["id"])
            if err:
                return err
            targets.append((o, props))
        for o, props in targets:
            self._apply_props(obj, o, props)
            self._stamp(obj, o)
            results.append(self._view(obj, o))
        if missing:
            errors = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                       "message": f"Could not get some {obj.upper()} objects, they may be "
                                  "deleted or not exist. Check that ids are valid.",
                       "context": {"ids": missing}}]
            return json_response(207, self._batch_body(results, started, errors))
        return json_response(200, self._batch_body(results, started))

    def batch_upsert(self, obj, query, body):
        started = self.clock.now_str()
        data, inputs = self._inputs(body)
        plan = []
        seen = set()
        for i in inputs:
            prop = i.get("idProperty") or q1(query, "idProperty") or data.get("idProperty")
            key = i.get("id")
            if not prop or key in (None, ""):
                return self.error(400, "Each upsert input needs idProperty and id")
            if prop not in self._unique_keys(obj) and prop != "hs_object_id":
                return self.error(400, f"Property {prop!r} is not a unique identifier property "
                                       f"for {obj}")
            nk = (prop, self._norm_unique(prop, str(key)))
            if nk in seen:
                return self.error(400, f"Duplicate id {key!r} in batch input")
            seen.add(nk)
            props = dict(self._properties_of(i))
            o = self._find_by(obj, prop, key)
            if o is None:
                if prop == "hs_object_id":
                    return self.error(404, f"Object {key} not found")
                props[prop] = key
                err = self._missing_required(obj, props) or self._conflict(obj, props)
            else:
                err = self._conflict(obj, props, self_id=o["id"])
            if err:
                return err
            plan.append((o, props))
        results = []
        created = 0
        for o, props in plan:
            if o is None:
                o = self._new_object(obj, props)
                created += 1
                results.append(self._view(obj, o, extra={"new": True}))
            else:
                self._apply_props(obj, o, props)
                self._stamp(obj, o)
                results.append(self._view(obj, o, extra={"new": False}))
        self.count_create(created)
        return json_response(200, self._batch_body(results, started))

    def batch_read(self, obj, query, body):
        started = self.clock.now_str()
        data, inputs = self._inputs(body)
        prop = data.get("idProperty")
        wanted = data.get("properties") or None
        archived = bool(data.get("archived", False))
        results, missing = [], []
        for i in inputs:
            o = self._find_by(obj, prop, i.get("id"), include_archived=archived)
            if o is None or o["archived"] != archived:
                missing.append(str(i.get("id")))
            else:
                results.append(self._view(obj, o, wanted))
        if missing:
            errors = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                       "message": f"Could not get some {obj.upper()} objects, they may be "
                                  "deleted or not exist. Check that ids are valid.",
                       "context": {"ids": missing}}]
            return json_response(207, self._batch_body(results, started, errors))
        return json_response(200, self._batch_body(results, started))

    def batch_archive(self, obj, query, body):
        _, inputs = self._inputs(body)
        for i in inputs:
            o = self._find_by(obj, None, i.get("id"))
            if o is not None:
                self._archive(obj, o)
        return Response(204)

    # -- control
    def _ctl_type(self, rtype):
        if rtype not in self.types:
            raise HTTPError(json_response(404, {"error": "unknown_type",
                                                "message": f"types: {list(self.types)}"}))

    def ctl_list(self, rtype):
        self._ctl_type(rtype)
        return [self._view(rtype, o) for o in sorted(self.objects[rtype].values(),
                                                     key=lambda o: int(o["id"]))]

    def ctl_insert(self, rtype, records):
        self._ctl_type(rtype)
        out = []
        for r in records:
            if not isinstance(r, dict):
                raise ValueError("each record must be an object")
            if "properties" in r:
                props = r["properties"] or {}
            else:
                props = {k: v for k, v in r.items()
                         if k not in ("id", "createdAt", "updatedAt", "archived")}
            created = r.get("createdAt") or props.get("createdate")
            updated = r.get("updatedAt") or props.get("hs_lastmodifieddate") \
                or props.get("lastmodifieddate")
            created = fmt_ts(parse_ts(created)) if created else None
            updated = fmt_ts(parse_ts(updated)) if updated else None
            oid = str(r["id"]) if r.get("id") else None
            if oid is not None and not oid.isdigit():
                raise ValueError("hubspot ids must be numeric strings")
            o = self._new_object(rtype, props, oid=oid, created=created, updated=updated,
                                 archived=bool(r.get("archived", False)))
            out.append(self._view(rtype, o))
        return out

    def ctl_patch(self, rtype, rid, partial):
        self._ctl_type(rtype)
        o = self.objects[rtype].get(str(rid))
        if o is None:
            return None
        props = partial.get("properties", partial) if isinstance(partial, dict) else {}
        self._apply_props(rtype, o, props)
        self._stamp(rtype, o)
        return self._view(rtype, o)

    def ctl_delete(self, rtype, rid):
        self._ctl_type(rtype)
        o = self.objects[rtype].get(str(rid))
        if o is None:
            return None
        if not o["archived"]:
            self._archive(rtype, o)
        return self._view(rtype, o)


FLAVORS = {"generic": GenericFlavor, "cin7": Cin7Flavor, "hubspot": HubSpotFlavor}


# ---------------------------------------------------------------------------
# Server state + control plane
# ---------------------------------------------------------------------------

class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.seed = args.seed
        self.rng = random.Random(self.seed)
        self.clock = Clock()
        self.stats = Stats()
        self.limiter = RateLimiter()
        self.faults = Faults(self.seed)
        self.port = 0
        if args.rate_limit:
            n, _, s = args.rate_limit.partition("/")
            self.limiter.configure(int(n), float(s or 1))
        self.flavor: Flavor = FLAVORS[args.flavor](self, args)

    # -- API admission (under lock)
    def admit(self, method, path):
        with self.lock:
            st = self.stats
            st.requests += 1
            st.by_route[self.flavor.route_key(method, path)] += 1
            ok, retry = self.limiter.admit(time.monotonic())
            if not ok:
                st.throttled += 1
                return self.flavor.throttle_response(retry), None
            kind = self.faults.pick(method, path)
            if kind:
                st.faults_injected += 1
                st.faults_by_kind[kind] += 1
            return None, kind

    def dispatch(self, method, path, query, headers, body) -> Response:
        with self.lock:
            try:
                return self.flavor.dispatch(method, path, query, headers, body)
            except HTTPError as e:
                return e.response

    def fault_response(self, status):
        with self.lock:
            return self.flavor.fault_response(status, self.faults.retry_after_header())

    def record_status(self, status):
        with self.lock:
            self.stats.by_status[str(status)] += 1

    # -- control plane
    def control(self, method, path, query, body) -> Response:
        with self.lock:
            try:
                return self._control(method, path, query, body)
            except HTTPError as e:
                return e.response
            except (ValueError, TypeError, KeyError) as e:
                return json_response(400, {"error": "bad_request", "message": str(e)})

    def _cbody(self, body):
        if not body or not body.strip():
            return {}
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise HTTPError(json_response(400, {"error": "bad_request",
                                                "message": f"invalid JSON body: {e}"}))

    def _control(self, method, path, query, body):
        parts = [urllib.parse.unquote(p) for p in path.split("/") if p][1:]
        nf = json_response(404, {"error": "not_found", "message": f"no control route "
                                                                  f"{method} {path}"})
        if not parts:
            return nf
        head = parts[0]
        if head == "health" and method == "GET":
            return json_response(200, {"ok": True, "flavor": self.flavor.name, "port": self.port})
        if head == "faults":
            if method == "GET":
                return json_response(200, self.faults.describe())
            if method == "POST":
                cfg = self._cbody(body)
                if not isinstance(cfg, dict):
                    raise ValueError("faults body must be an object")
                self.faults.configure(cfg)
                return json_response(200, self.faults.describe())
        if head == "stats" and method == "GET":
            st = self.stats
            return json_response(200, {
                "requests": st.requests, "by_status": dict(st.by_status),
                "by_route": dict(st.by_route), "faults_injected": st.faults_injected,
                "faults_by_kind": dict(st.faults_by_kind), "throttled": st.throttled,
                "creates": st.creates, "max_in_window": self.limiter.max_in_window,
                "window_seconds": self.limiter.window})
        if head == "reset" and method == "POST":
            self.flavor.reset()
            self.stats.reset()
            self.faults.reset()
            self.limiter.clear_history()
            self.clock.frozen = None
            self.rng.seed(self.seed)
            return json_response(200, {"ok": True})
        if head == "clock" and method in ("POST", "GET"):
            if method == "POST":
                cfg = self._cbody(body)
                if "now" in cfg:
                    self.clock.frozen = parse_ts(cfg["now"]) if cfg["now"] else None
                if cfg.get("advance_ms"):
                    base = self.clock.now()
                    self.clock.frozen = base + timedelta(milliseconds=float(cfg["advance_ms"]))
            return json_response(200, {"now": self.clock.now_str(),
                                       "frozen": self.clock.frozen is not None})
        if head == "rate_limit":
            if method == "POST":
                cfg = self._cbody(body)
                self.limiter.configure(cfg.get("limit"), cfg.get("window", 1))
            if method in ("POST", "GET"):
                return json_response(200, {"limit": self.limiter.limit,
                                           "window": self.limiter.window})
        if head == "records" and len(parts) >= 2:
            rtype = parts[1]
            fl = self.flavor
            if len(parts) == 2:
                if method == "GET":
                    out = {"data": fl.ctl_list(rtype)}
                    if isinstance(fl, Cin7Flavor):
                        out.update(fl.ctl_extra(rtype))
                    return json_response(200, out)
                if method == "POST":
                    data = self._cbody(body)
                    recs = data.get("data") if isinstance(data, dict) else data
                    if not isinstance(recs, list):
                        raise ValueError('body must be {"data":[...]}')
                    return json_response(200, {"data": fl.ctl_insert(rtype, recs)})
            elif len(parts) == 3:
                rid = parts[2]
                if method == "PATCH":
                    partial = self._cbody(body)
                    if not isinstance(partial, dict):
                        raise ValueError("body must be an object")
                    rec = fl.ctl_patch(rtype, rid, partial)
                elif method == "DELETE":
                    rec = fl.ctl_delete(rtype, rid)
                elif method == "GET":
                    rec = next((r for r in fl.ctl_list(rtype)
                                if str(r.get("id", r.get("ID"))) == rid), None)
                else:
                    return nf
                if rec is None:
                    return json_response(404, {"error": "not_found",
                                               "message": f"{rtype} {rid} not found"})
                return json_response(200, rec)
        return nf


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

class BodyError(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crm-remote/1.0"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are closed after this

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - keep quiet
        pass

    def log_error(self, format, *args):  # noqa: A002
        pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = \
        lambda self: self._serve()

    # -- body reading
    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise BodyError("truncated chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            body = b"".join(chunks)
        else:
            n = self.headers.get("Content-Length")
            if n is None:
                body = b""
            else:
                try:
                    n = int(n)
                except ValueError:
                    raise BodyError("bad Content-Length")
                body = self.rfile.read(n) if n > 0 else b""
                if len(body) != n:
                    raise BodyError("truncated body")
        if body and (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except OSError:
                raise BodyError("bad gzip body")
        return body

    # -- writing
    def _head_bytes(self, status, headers, length) -> bytes:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        lines = [f"HTTP/1.1 {status} {reason}",
                 f"Date: {self.date_time_string()}",
                 f"Server: {self.server_version}"]
        for k, v in headers:
            lines.append(f"{k}: {v}")
        if status not in (204, 304):  # RFC 9110: no Content-Length on 204 / 304
            lines.append(f"Content-Length: {length}")
        if self.close_connection:
            lines.append("Connection: close")
        else:
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, resp: Response):
        body = resp.body if resp.status not in (204, 304) else b""
        data = self._head_bytes(resp.status, resp.headers, len(body))
        if self.command != "HEAD":
            data += body
        self.wfile.write(data)

    def _kill_connection(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    # -- main entry
    def _serve(self):
        state: State = self.server.state
        method = self.command.upper()
        path, _, qs = self.path.partition("?")
        if path.startswith("http://") or path.startswith("https://"):
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        try:
            body = self._read_body()
        except (BodyError, ValueError):
            self.close_connection = True
            self._send(json_response(400, {"error": "bad_request",
                                           "message": "could not read the request body"}))
            return
        if path.startswith("/_control/") or path == "/_control":
            self._send(state.control(method, path, parse_query(qs), body))
            return

        throttled, kind = state.admit(method, path)
        if throttled is not None:
            state.record_status(throttled.status)
            self._send(throttled)
            return
        query = parse_query(qs)

        if kind is None or kind == "delay":
            if kind == "delay":
                time.sleep(state.faults.delay_ms / 1000.0)
            resp = self._dispatch(state, method, path, query, body)
            state.record_status(resp.status)
            self._send(resp)
            return
        if kind in ("503", "500", "429"):
            resp = state.fault_response(int(kind))
            state.record_status(resp.status)
            self._send(resp)
            return
        if kind == "drop":
            announced = 4096
            partial = (b'{"data":[' + b'{"id":"x"},' * 400)[:announced // 2]
            head = self._head_bytes(200, [("Content-Type", "application/json")], announced)
            self.close_connection = True
            try:
                self.wfile.write(head + partial)
            except OSError:
                pass
            self._kill_connection()
            return
        if kind == "drop_after":
            self._dispatch(state, method, path, query, body)
            self._kill_connection()
            return
        if kind == "malformed":
            state.record_status(200)
            self._send(Response(200, b'{"data": [{"id": "trunc', [
                ("Content-Type", "application/json; charset=utf-8")]))
            return
        if kind == "malformed_after":
            resp = self._dispatch(state, method, path, query, body)
            cut = resp.body[: max(1, len(resp.body) // 2)] if len(resp.body) > 2 \
                else b'{"data": [{"id": "trunc'
            state.record_status(200)
            self._send(Response(200, cut, [("Content-Type", "application/json; charset=utf-8")]))
            return
        if kind == "timeout":
            time.sleep(state.faults.timeout_ms / 1000.0)
            self._kill_connection()
            return
        if kind == "concurrent_edit":
            parts = path.strip("/").split("/")
            if method in ("PATCH", "PUT", "DELETE") and len(parts) == 2 and path not in state.faults.edited:
                state.faults.edited.add(path)
                state.control("PATCH", f"/_control/records/{parts[0]}/{parts[1]}", {},
                              b'{"owner": "another client"}')
            resp = self._dispatch(state, method, path, query, body)
            state.record_status(resp.status)
            self._send(resp)
            return
        resp = self._dispatch(state, method, path, query, body)  # unknown kind: behave
        state.record_status(resp.status)
        self._send(resp)

    def _dispatch(self, state, method, path, query, body):
        try:
            return state.dispatch(method, path, query, self.headers, body)
        except Exception as e:  # never take the server down
            return json_response(500, {"error": "internal_error",
                                       "message": f"{type(e).__name__}: {e}"})


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # keep stderr quiet
        pass


def watch_parent(ppid):
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            os._exit(0)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake CRM remotes for crmgate tests.")
    ap.add_argument("--flavor", "--flavour", required=True, choices=sorted(FLAVORS))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token")
    ap.add_argument("--account-id")
    ap.add_argument("--app-key")
    ap.add_argument("--rate-limit", help="N/SECONDS, e.g. 60/60")
    ap.add_argument("--page-max", type=int, default=1000)
    ap.add_argument("--list-omits", default="", help="generic: comma-separated fields the listing leaves out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--unique-props", default="crmgate_id",
                    help="hubspot: comma-separated properties treated as unique")
    ap.add_argument("--lenient", action="store_true",
                    help="skip required-field validation (cin7 names, hubspot deal/task)")
    ap.add_argument("--cin7-strict", action="store_true",
                    help="cin7: ignore filters the reference does not document "
                         "(ModifiedSince on task, Name on opportunity)")
    ap.add_argument("--no-parent-watch", action="store_true")
    args = ap.parse_args(argv)
    if args.rate_limit and not re.fullmatch(r"\d+/\d+(\.\d+)?", args.rate_limit):
        ap.error("--rate-limit must look like N/SECONDS")

    state = State(args)
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = state
    state.port = server.server_address[1]
    sys.stdout.write(f"LISTENING {state.port}\n")
    sys.stdout.flush()
    if not args.no_parent_watch:
        threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
