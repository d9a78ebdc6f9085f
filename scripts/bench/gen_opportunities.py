#!/usr/bin/env python3
"""Deterministic opportunity CSV generator for scripts/bench-export.sh.

    gen_opportunities.py --rows N [--seed S] --out FILE

Writes the header of fixtures/csv/opportunities.csv and N data rows in the same
formats, so that mappings/sources/opportunities.yaml maps every row (no rejects):

  Opportunity     "<customer> - <project> #<n>"; unique per row (the import's match
                  key is name+customer_name, so no two rows merge).  About 1 in 250
                  starts with '=', '+', '-' or '@' (data that exports must neutralise),
                  some hold commas, double quotes or non-ASCII text.
  Stage           Prospecting, Qualification, Needs Analysis, Proposal, Negotiation,
                  Won or Lost (exact spelling: the mapping rejects anything else).
  Amount          "120000.00" ('.' decimals, no thousands separator); JPY whole numbers.
  Currency        ISO code, about 1 in 100 lower-cased ("usd"; the mapping upper-cases).
  Probability     0-100 by stage, about 1 in 50 written "25%".
  Expected Close  yyyy-MM-dd, after Created.
  Contact/Email   about 1 in 20 both empty; emails are plain lower-case ASCII.
  Created         yyyy-MM-dd HH:mm.

Standard library only; the same --rows/--seed always gives the same bytes.
"""

import argparse
import csv
import datetime as dt
import random
import sys

HEADER = ["Opportunity", "Stage", "Amount", "Currency", "Probability", "Expected Close",
          "Owner", "Customer", "Contact", "Contact Email", "Source", "Created"]

# stage -> (weight, probability choices)
STAGES = {
    "Prospecting": (20, [5, 10, 10, 15]),
    "Qualification": (18, [20, 25, 30, 35]),
    "Needs Analysis": (14, [20, 30, 40]),
    "Proposal": (14, [45, 50, 55, 60]),
    "Negotiation": (10, [70, 75, 80, 85, 90]),
    "Won": (14, [100]),
    "Lost": (10, [0]),
}

SOURCES = ["Web", "Referral", "Trade Show", "Existing Customer", "Cold Call", "Partner", "Paid Search",
           "Paid Social", "Organic Search", "Upsell", "Social Media", "Direct Traffic", "Partner Referral",
           "Word of mouth", "Other Campaigns", "Import"]

OWNERS = ["Alice Johnson", "Bob Martinez", "Quinn Taylor", "Xavier Dupont", "Grace Kim", "Jonas Becker",
          "Liam Walsh", "Keiko Tanaka", "Noah Fischer", "Maya Cohen", "Olivia Brown", "Hector Alvarez",
          "Erin O'Malley", "Stefan Müller", "Isabel Rossi", "Farid Haddad", "Pablo Ruiz", "Chloé Tremblay"]

PROJECTS = ["Enterprise renewal", "Data platform pilot", "POS rollout", "Support contract", "ERP integration",
            "Field app", "Loyalty program", "Warehouse sync", "Smart-Meter-Analyse", "Licence expansion",
            "Upgrade to Premium tier", "Multi-site POS", "Analytics add-on", "Training package",
            "Cloud migration", "Security audit", "Onboarding services", "Inventory tracking",
            "Spring inventory", "Customer portal", "API access", "Managed hosting", "Mobile app refresh",
            "Integração ERP", "Formation équipe", "Lagerverwaltung", "Distribución regional",
            "工場ライン監視", "Licens fornyelse"]

# locale: (currency, weight, amount range, company words (or (word, domain label)), company suffixes, domain tld,
#          contacts [(display first, display last, ascii first, ascii last)])
LOCALES = [
    ("USD", 40, (1000, 400000), ["Acme", "Globex", "Initech", "Vandelay", "Stellar", "Pinnacle", "Summit Peak",
                                 "Liberty", "Wildflower", "Quantum", "BrightPath", "Cedar", "Blue Ridge",
                                 "Ironwood", "Lakeside", "Northwind", "Redstone", "Silverline"],
     ["Inc.", "LLC", "Corp.", "Co.", "Group", "Partners", "Industries"], "com",
     [("James", "O'Connor", "james", "oconnor"), ("Patricia", "Nguyen", "patricia", "nguyen"),
      ("Sarah", "Mitchell", "sarah", "mitchell"), ("Bill", "Lumbergh", "bill", "lumbergh"),
      ("Hannah", "Lee", "hannah", "lee"), ("Ashley", "Turner", "ashley", "turner"),
      ("Robert", "Smith", "robert", "smith"), ("David", "Kim", "david", "kim"),
      ("Marcus", "Brown", "marcus", "brown"), ("Emily", "Wright", "emily", "wright"),
      ("Rachel", "O'Neill", "rachel", "oneill"), ("Amir", "Haddad", "amir", "haddad"),
      ("Jennifer", "Lopez", "jennifer", "lopez"), ("Michael", "Johnson", "michael", "johnson")]),
    ("EUR", 22, (2000, 300000), ["Alpen Energie", "Rhein Logistik", "Müller & Söhne", "Château Lumière",
                                 "Trattoria", "Celtic Software", "Bodensee Bau", "Lumière Design",
                                 "Nordsee Fisch", "Ville Verte", "Isar Tech", "Porto Vino"],
     ["GmbH", "SAS", "S.r.l.", "Ltd", "AG", "SA", "KG"], "eu",
     [("Jürgen", "Müller", "juergen", "mueller"), ("Émilie", "Lefèvre", "emilie", "lefevre"),
      ("Lukas", "Schneider", "lukas", "schneider"), ("Michael", "Schmidt", "michael", "schmidt"),
      ("Laura", "Rossi", "laura", "rossi"), ("Brian", "Murphy", "brian", "murphy"),
      ("Anna", "Weiß", "anna", "weiss"), ("François", "Dubois", "francois", "dubois"),
      ("Giulia", "Bianchi", "giulia", "bianchi"), ("Sophie", "Martin", "sophie", "martin")]),
    ("GBP", 8, (1500, 200000), ["Harbour Foods", "Thames Valley", "Pennine", "Cotswold", "Kingsbridge"],
     ["Ltd", "plc", "LLP"], "co.uk",
     [("Tom", "Baker", "tom", "baker"), ("Charlotte", "Evans", "charlotte", "evans"),
      ("Oliver", "Hughes", "oliver", "hughes"), ("Amelia", "Clarke", "amelia", "clarke")]),
    ("JPY", 5, (500000, 40000000), [("サクラロボティクス", "sakura-robotics"), ("富士精密", "fuji-seimitsu"),
                                     ("青葉システム", "aoba-systems"), ("東海ロジ", "tokai-logi")],
     ["株式会社"], "jp",
     [("田中", "太郎", "taro", "tanaka"), ("佐藤", "花子", "hanako", "sato"),
      ("鈴木", "一郎", "ichiro", "suzuki"), ("高橋", "美咲", "misaki", "takahashi")]),
    ("CAD", 5, (1000, 250000), ["Érable Conseil", "Maple Leaf", "Laurentian", "Bay Street"],
     ["Inc.", "Ltée", "Corp."], "ca",
     [("Chloé", "Tremblay", "chloe", "tremblay"), ("Liam", "Gagnon", "liam", "gagnon"),
      ("Olivia", "Roy", "olivia", "roy")]),
    ("AUD", 4, (1000, 250000), ["Greenleaf Organics", "Coral Coast", "Outback Freight"],
     ["Pty Ltd"], "com.au",
     [("Olivia", "Martin", "olivia", "martin"), ("Jack", "Wilson", "jack", "wilson")]),
    ("DKK", 3, (10000, 2000000), ["Nordlys", "Øresund Data", "Fjord Møbler"], ["ApS", "A/S"], "dk",
     [("Søren", "Jensen", "soren", "jensen"), ("Mette", "Nielsen", "mette", "nielsen")]),
    ("BRL", 3, (5000, 1500000), ["Horizonte", "Rio Verde", "Paulista Foods"], ["Ltda.", "S.A."], "com.br",
     [("Lucas", "Silva", "lucas", "silva"), ("Ana", "Souza", "ana", "souza")]),
    ("MXN", 3, (20000, 5000000), ["Sol Norte", "Azteca Logística", "Jalisco Agro"], ["S.A. de C.V."], "mx",
     [("Ana", "García", "ana", "garcia"), ("José", "Hernández", "jose", "hernandez")]),
    ("AED", 2, (5000, 1000000), ["Desert Bloom", "Gulf Horizon"], ["Trading LLC", "FZE"], "ae",
     [("Fatima", "Al-Sayed", "fatima", "alsayed"), ("Omar", "Khalil", "omar", "khalil")]),
    ("NZD", 2, (1000, 200000), ["Kaimai Honey", "Southern Alps"], ["Collective", "Ltd"], "co.nz",
     [("Tama", "Williams", "tama", "williams"), ("Aroha", "Ngata", "aroha", "ngata")]),
]

FORMULA_NAMES = ['=HYPERLINK("http://evil.example/{n}","Click for details")', "=1+{n}", "+{n} Expansion DACH",
                 "-Discount request {n} (50% off)", "@SUM(1+{n})*cmd|' /C calc'!A0"]


def slug(s):
    """ASCII domain label from a company word: letters and digits only, lower case."""
    table = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "å": "a", "æ": "ae", "é": "e", "è": "e",
             "â": "a", "ç": "c", "í": "i", "ó": "o", "á": "a", "ñ": "n", "ã": "a"}
    out = "".join(table.get(c, c) for c in s.lower())
    return "".join(c for c in out if c.isascii() and c.isalnum())


def build_locales():
    prepared = []
    for cur, weight, amounts, words, suffixes, tld, contacts in LOCALES:
        companies = []
        for w in words:
            w, dom = w if isinstance(w, tuple) else (w, slug(w))
            for suf in suffixes:
                full = suf + w if suf == "株式会社" else f"{w} {suf}"
                companies.append((w, full, f"{dom}.{tld}"))
        prepared.append((cur, weight, amounts, companies, contacts))
    return prepared


def generate(rows, seed, out):
    rng = random.Random(seed)
    locales = build_locales()
    loc_weights = [l[1] for l in locales]
    stage_names = list(STAGES)
    stage_weights = [STAGES[s][0] for s in stage_names]
    base = dt.datetime(2024, 1, 1)
    span_minutes = 2 * 365 * 24 * 60  # created in 2024-2025
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    # Draw in chunks to cut per-row call overhead.
    chunk = 10000
    n = 0
    while n < rows:
        k = min(chunk, rows - n)
        locs = rng.choices(locales, weights=loc_weights, k=k)
        stages = rng.choices(stage_names, weights=stage_weights, k=k)
        batch = []
        for i in range(k):
            seq = n + i + 1
            cur, _, (lo, hi), companies, contacts = locs[i]
            short, customer, domain = rng.choice(companies)
            stage = stages[i]
            r = rng.random()
            if r < 0.004:
                name = rng.choice(FORMULA_NAMES).format(n=seq)
            elif r < 0.02:
                name = f'{short} - "{rng.choice(PROJECTS)}" add-on, phase {seq}'
            else:
                name = f"{short} - {rng.choice(PROJECTS)} #{seq}"
            amount = rng.uniform(lo, hi)
            amount_text = str(int(amount) // 100 * 100) if cur == "JPY" else f"{amount:.2f}"
            currency = cur.lower() if rng.random() < 0.01 else cur
            prob = rng.choice(STAGES[stage][1])
            prob_text = f"{prob}%" if rng.random() < 0.02 else str(prob)
            created = base + dt.timedelta(minutes=rng.randrange(span_minutes))
            close = created.date() + dt.timedelta(days=rng.randint(14, 300))
            if rng.random() < 0.05:
                contact = email = ""
            else:
                first, last, afirst, alast = rng.choice(contacts)
                contact = f"{first} {last}"
                style = rng.random()
                if style < 0.6:
                    local = f"{afirst}.{alast}"
                elif style < 0.8:
                    local = f"{afirst[0]}.{alast}"
                else:
                    local = afirst
                email = f"{local}@{domain}"
            batch.append((name, stage, amount_text, currency, prob_text, close.isoformat(),
                          rng.choice(OWNERS), customer, contact, email, rng.choice(SOURCES),
                          created.strftime("%Y-%m-%d %H:%M")))
        writer.writerows(batch)
        n += k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    if a.out == "-":
        generate(a.rows, a.seed, sys.stdout)
    else:
        with open(a.out, "w", encoding="utf-8", newline="") as f:
            generate(a.rows, a.seed, f)


if __name__ == "__main__":
    main()
