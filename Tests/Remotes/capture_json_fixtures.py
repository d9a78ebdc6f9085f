#!/usr/bin/env python3
# Run from the repository root: python3 Tests/Remotes/capture_json_fixtures.py (rewrites fixtures/json/).
# Captures real answers of the three test remotes (Tests/Remotes/crm_remote.py) as JSON fixtures: list pages,
# single records and error bodies. Used as seeds of the json fuzz target.
import json, subprocess, sys, urllib.request, os
def start(flavor):
    p = subprocess.Popen([sys.executable, "Tests/Remotes/crm_remote.py", "--flavor", flavor, "--token", "t", "--account-id", "a",
                          "--app-key", "k", "--no-parent-watch", "--page-max", "2"], stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, f"http://127.0.0.1:{port}"
def req(base, method, path, body=None, headers={}):
    r = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                               headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(r) as resp: return resp.read()
    except urllib.error.HTTPError as e: return e.read()
out = "fixtures/json"
recs = [{"first_name": "Zoë", "last_name": "Müller", "email": "zoe@example.com", "company": "Acme, Inc.", "tags": ["vip", "2024"],
         "address": {"street": "Hauptstraße 1", "city": "Graz", "country": "AT"}, "notes": "line1\nline2 \"quoted\" \u00e9 😀"},
        {"first_name": "Bob", "email": "bob@example.com", "custom": {"score": 7.5}},
        {"first_name": "Cy", "email": "cy@example.com"}]
p, b = start("generic")
req(b, "POST", "/_control/records/leads", {"data": recs})
auth = {"Authorization": "Bearer t"}
open(f"{out}/generic-leads-page.json", "wb").write(req(b, "GET", "/leads?limit=2", headers=auth))
open(f"{out}/generic-error-401.json", "wb").write(req(b, "GET", "/leads"))
p.terminate()
p, b = start("cin7")
h = {"api-auth-accountid": "a", "api-auth-applicationkey": "k"}
for r in [{"Name": "Acme Pty Ltd", "Contacts": [{"Name": "Mary Ann Smith", "Email": "mary@acme.example", "Phone": "+61 2 5550 1234"}],
           "Addresses": [{"Type": "Billing", "Line1": "1 George St", "City": "Sydney", "Country": "Australia"}], "Tags": "vip,2024"},
          {"Name": "Émile & Co", "Contacts": [{"Name": "Émile", "Email": "emile@example.com"}]}]:
    req(b, "POST", "/ExternalApi/v2/crm/lead", r, h)
open(f"{out}/cin7-lead-page.json", "wb").write(req(b, "GET", "/ExternalApi/v2/crm/lead?Page=1&Limit=2", headers=h))
open(f"{out}/cin7-error-403.json", "wb").write(req(b, "GET", "/ExternalApi/v2/crm/lead"))
p.terminate()
p, b = start("hubspot")
for i, r in enumerate(recs):
    req(b, "POST", "/crm/v3/objects/contacts", {"properties": {"firstname": r["first_name"], "email": r["email"], "company": r.get("company", "")}}, auth)
open(f"{out}/hubspot-contacts-page.json", "wb").write(req(b, "GET", "/crm/v3/objects/contacts?limit=2", headers=auth))
open(f"{out}/hubspot-search.json", "wb").write(req(b, "POST", "/crm/v3/objects/contacts/search",
     {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}], "limit": 2}, auth))
open(f"{out}/hubspot-error-409.json", "wb").write(req(b, "POST", "/crm/v3/objects/contacts", {"properties": {"email": "bob@example.com"}}, auth))
p.terminate()
