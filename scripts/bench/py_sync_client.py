"""The reference client for scripts/bench-sync.sh: push leads with `requests` in a thread pool, pull them back.

python py_sync_client.py push BASE_URL CSV CONCURRENCY   (POST /leads with Idempotency-Key, one per row)
python py_sync_client.py pull BASE_URL DB                 (GET /leads?limit=500&cursor=... into an empty SQLite file)
Token from CRM_API_TOKEN. Prints one line: records and seconds.
"""
import csv, json, os, sys, time, uuid, threading
from concurrent.futures import ThreadPoolExecutor
import requests

token = os.environ["CRM_API_TOKEN"]
local = threading.local()

def session():
    s = getattr(local, "s", None)
    if s is None:
        s = requests.Session()
        s.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        local.s = s
    return s

def push(base, path, conc):
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows.append({"first_name": r.get("First Name", ""), "last_name": r.get("Last Name", ""), "company": r.get("Company", ""),
                         "email": r.get("Email", ""), "phone": r.get("Phone", ""), "status": r.get("Status", ""),
                         "address": {"city": r.get("City", ""), "country": r.get("Country", "")}})
    def send(rec):
        for attempt in range(8):
            try:
                r = session().post(base + "/leads", data=json.dumps(rec), headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=60)
                if r.status_code in (429, 500, 502, 503):
                    time.sleep(0.05 * 2 ** attempt); continue
                r.raise_for_status()
                return 1
            except requests.ConnectionError:
                time.sleep(0.05 * 2 ** attempt)
        raise RuntimeError("gave up")
    t = time.time()
    with ThreadPoolExecutor(conc) as ex:
        n = sum(ex.map(send, rows, chunksize=64))
    print(n, round(time.time() - t, 3))

def pull(base, db_path):
    """Pages of 500 by cursor (the page size of the generic-rest profile crmgate pulls with) into an empty SQLite
    table (id, remote id, updated_at, the record's JSON), one transaction per page: the same transfer as crmgate's
    pull, with less work per record (no mapping, no links)."""
    import sqlite3
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE leads (id TEXT PRIMARY KEY, remote_id TEXT UNIQUE, updated_at TEXT, record TEXT)")
    t = time.time(); n = 0; cursor = None
    while True:
        params = {"limit": 500}
        if cursor: params["cursor"] = cursor
        body = session().get(base + "/leads", params=params, timeout=60).json()
        with db:
            db.executemany("INSERT INTO leads VALUES (?, ?, ?, ?)",
                           [(str(uuid.uuid4()), r["id"], r["updated_at"], json.dumps(r)) for r in body["data"]])
        n += len(body["data"]); cursor = body.get("next_cursor")
        if not cursor: break
    print(n, round(time.time() - t, 3))

if __name__ == "__main__":
    if sys.argv[1] == "push": push(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else: pull(sys.argv[2], sys.argv[3])
