#!/usr/bin/env python3
"""Independent synthetic person-record generator (Australian-style addresses).

Writes OUT.csv (rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state)
and OUT.truth.csv (rec_id,entity,role,neg,n_err,classes,details).

Usage: gen.py OUT.csv --seed S --originals N --dups D --max-dups K --min-err A --max-err B
               [--households 0.2] [--namesakes 0.05] [--nick-orig 0.08] [--addr2 0.3]
Duplicates are derived from their original (never from another duplicate); each duplicate
carries n distinct error classes, n uniform in [A, B].
"""
import argparse, collections, csv, random, re

MALE = """William Robert James John Michael David Richard Thomas Christopher Daniel Matthew Anthony
Andrew Joseph Edward Stephen Benjamin Samuel Nicholas Alexander Jonathan Timothy Patrick Peter Gregory
Kenneth Ronald Donald Raymond Lachlan Jack Oliver Noah Liam Ethan Lucas Harrison Cooper Riley Mitchell
Jacob Joshua Ryan Dylan Nathan Luke Adam Brendan Shane Craig Wayne Darren Bradley Scott Jason Mark Paul
Brett Glenn Trevor Hamish Angus Callum Fraser Declan Connor Tristan Zachary Xavier Marcus Vincent Dominic
Sebastian Phillip Geoffrey Leonard Francis Frederick Harold Henry Charles George Arthur Albert Wei Minh
Rajesh Ahmed Mohammed Giuseppe Dimitri Hiroshi Tuan Arjun""".split()
FEMALE = """Elizabeth Margaret Katherine Catherine Jennifer Susan Patricia Deborah Rebecca Jessica Samantha
Alexandra Victoria Christine Kimberley Melissa Michelle Nicole Amanda Sarah Emma Olivia Charlotte Amelia
Isla Mia Ava Grace Chloe Ruby Sophie Zoe Hannah Madison Isabella Lily Ella Matilda Georgia Jasmine Lauren
Stephanie Rachel Kylie Tracey Leanne Sharon Karen Julie Joanne Dorothy Barbara Helen Judith Beverley
Lorraine Heather Natalie Belinda Tegan Brooke Courtney Ashleigh Caitlin Bianca Jacqueline Frances
Josephine Abigail Eleanor Harriet Rosemary Theresa Veronica Penelope Annabelle Siobhan Naomi Priya Mei
Anh Fatima Yuki Sofia Maria""".split()
NICK = {
    "William": ["Bill", "Will", "Billy"], "Robert": ["Bob", "Rob", "Bobby"], "James": ["Jim", "Jimmy", "Jamie"],
    "John": ["Johnny", "Jack"], "Michael": ["Mike", "Mick"], "Richard": ["Dick", "Rick", "Rich"],
    "Thomas": ["Tom", "Tommy"], "Christopher": ["Chris", "Kit"], "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"], "Anthony": ["Tony"], "Andrew": ["Andy", "Drew"], "Joseph": ["Joe", "Joey"],
    "Edward": ["Ted", "Ed", "Eddie", "Ned"], "Stephen": ["Steve"], "Benjamin": ["Ben"], "Samuel": ["Sam"],
    "Nicholas": ["Nick"], "Alexander": ["Alex", "Sandy"], "Jonathan": ["Jon"], "Timothy": ["Tim"],
    "Patrick": ["Pat", "Paddy"], "Peter": ["Pete"], "Gregory": ["Greg"], "Kenneth": ["Ken"],
    "Ronald": ["Ron"], "Donald": ["Don"], "Raymond": ["Ray"], "Phillip": ["Phil"], "Geoffrey": ["Geoff"],
    "Leonard": ["Len"], "Francis": ["Frank"], "Frederick": ["Fred"], "Harold": ["Harry"],
    "Henry": ["Harry", "Hank"], "Charles": ["Charlie", "Chuck"], "Albert": ["Bert"],
    "Elizabeth": ["Liz", "Beth", "Betty", "Lizzie"], "Margaret": ["Peggy", "Maggie", "Meg"],
    "Katherine": ["Kate", "Kathy", "Katie"], "Catherine": ["Cathy", "Kate"], "Jennifer": ["Jenny", "Jen"],
    "Susan": ["Sue", "Susie"], "Patricia": ["Pat", "Trish"], "Deborah": ["Deb", "Debbie"],
    "Rebecca": ["Becky", "Bec"], "Jessica": ["Jess"], "Samantha": ["Sam"], "Alexandra": ["Alex"],
    "Victoria": ["Vicky", "Tori"], "Christine": ["Chris", "Chrissy"], "Kimberley": ["Kim"],
    "Melissa": ["Mel"], "Michelle": ["Shelly"], "Nicole": ["Nikki"], "Amanda": ["Mandy"],
    "Stephanie": ["Steph"], "Jacqueline": ["Jackie"], "Frances": ["Fran"], "Josephine": ["Jo", "Josie"],
    "Abigail": ["Abby"], "Eleanor": ["Ellie", "Nell"], "Dorothy": ["Dot"], "Barbara": ["Barb"],
    "Judith": ["Judy"], "Beverley": ["Bev"], "Theresa": ["Tess", "Terri"], "Penelope": ["Penny"],
    "Rosemary": ["Rose"], "Sarah": ["Sally"],
}
SURNAMES = """Smith Jones Williams Brown Wilson Taylor Johnson White Martin Anderson Thompson Nguyen Thomas
Walker Harris Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel
Khan Lewis James Phillips Mitchell Turner Cooper Campbell Hughes Edwards Murphy Young Baker Morris Collins
Bell Stewart Murray Ward Hill Scott Allen Watson Morgan Price Moore Kennedy O'Brien McDonald MacKenzie
Gallagher Fitzgerald Sullivan O'Connor Byrne Doyle Quinn Nolan Tran Le Pham Huynh Chen Wang Zhang Liu Singh
Kaur Sharma Papadopoulos Nikolaidis Rossi Russo Bianchi Esposito Romano Ferrari Costa Silva Santos
Fletcher Chapman Harrison Spencer Mason Fraser Gordon Grant Hamilton Henderson Hudson Jenkins Johnston
Knight Lawrence Marshall Matthews Mills Palmer Parker Pearce Reid Richards Richardson Robertson Ross
Russell Shaw Simpson Stevens Sutherland Walsh Watts Webb Wells West Williamson Woods Black Burns Carter Cox
Davies Dixon Ellis Ferguson Foster Graham Gray Hunt Hayes Holmes Howard Jordan Kerr Lane Lloyd Lynch Mann
Miller Nicholson Owen Payne Perry Porter Powell Rees Rice Rogers Saunders Sharp Stone Sims Todd Tucker
Wallace Warren Weir Whitehead Wheeler Barker Bennett Brooks Butler Cameron Chambers Chandler Dawson Duncan
Farrell Fisher Fleming Fox Gibson Hart Higgins Holland Hopkins Horton Hutchinson Jarvis Keane Lambert
Little Lowe Lucas Macleod Maxwell McGrath McKenzie Mahoney Moran Norris Oliver Page Pike Pollard Randall
Riley Schmidt Muller Schneider Kowalski Nowak Ivanov Petrovic Kovac Horvat Yilmaz Haddad Nasser Rahman Ali
Hussain Ahmed Kim Park Choi Tanaka Sato Suzuki""".split() + ["Van Der Berg", "De Souza", "Du Plessis", "Van Dyke"]
STREETS = """Acacia Banksia Wattle Bottlebrush Eucalyptus Grevillea Waratah Jacaranda George Elizabeth
Victoria Albert King Queen Church High Station Railway Park Hill Ridge Ocean Beach Forest River Lake
Highfield Kensington Clarendon Wellington Nelson Cook Flinders Bourke Collins Swanston Lonsdale Hoddle
Sturt Hume Stuart Macquarie Bligh Phillip Hunter Darling Murray Lachlan Barton Deakin Menzies Curtin
Chifley Lyons Glenferrie Toorak Orrong Kooyong Burwood Canterbury Whitehorse Maroondah Warrigal
Springvale Dandenong Mountain Boundary Grange Manor Rosewood Oakwood Pinewood Elm Ash Birch Cedar Willow
Maple Poplar Magnolia Camellia Rosella Kookaburra Lyrebird Magpie Wombat Koala Platypus Echidna Kangaroo
Wallaby Emu Currawong Galah Cockatoo Pelican Albatross Brighton Sandringham Hampton Mentone Mordialloc
Parkside Lakeside Riverside Seaview Sunnyside Fairway Greenhill Blackwood Redwood Whitegum Stringybark
Ironbark Coolabah Bimbadeen Warrawee Yarrabee Tallowwood Mulga""".split() + [
    "Bay View", "Mountain View", "Ferntree Gully", "Kuring-gai", "Sir Thomas Mitchell", "St Georges"]
TYPES = ["Street"] * 6 + ["Road"] * 4 + ["Avenue"] * 3 + ["Court"] * 2 + ["Place"] * 2 + [
    "Drive", "Crescent", "Close", "Parade", "Lane", "Terrace", "Way", "Grove", "Boulevard", "Circuit", "Highway"]
ADDR2 = ["Unit {n}", "Flat {n}", "Apartment {n}", "Lot {n}", "Suite {n}", "Level {n}", "Unit {n}",
         "Rosedale", "Kookaburra Lodge", "Yarra Villa", "Building B", "Glenview", "The Gables",
         "Bellevue Park", "Sunset Retirement Village", "Carinya", "Warrina Homestead", "Hillcrest Farm"]
# state:suburb:postcode
_raw = """VIC:Richmond:3121|VIC:St Kilda:3182|VIC:Brunswick:3056|VIC:Fitzroy:3065|VIC:Carlton:3053|VIC:Hawthorn:3122|VIC:Kew:3101|VIC:Box Hill:3128|VIC:Glen Waverley:3150|VIC:Mount Waverley:3149|VIC:Frankston:3199|VIC:Geelong:3220|VIC:Ballarat:3350|VIC:Bendigo:3550|VIC:Footscray:3011|VIC:Sunshine:3020|VIC:Werribee:3030|VIC:Dandenong:3175|VIC:Ringwood:3134|VIC:Croydon:3136|VIC:Preston:3072|VIC:Coburg:3058|VIC:Essendon:3040|VIC:Moonee Ponds:3039|VIC:South Yarra:3141|VIC:Prahran:3181|VIC:Brighton:3186|VIC:Sandringham:3191|VIC:Cheltenham:3192|VIC:Camberwell:3124|NSW:Parramatta:2150|NSW:Blacktown:2148|NSW:Penrith:2750|NSW:Liverpool:2170|NSW:Bankstown:2200|NSW:Chatswood:2067|NSW:Manly:2095|NSW:Bondi:2026|NSW:Randwick:2031|NSW:Newtown:2042|NSW:Marrickville:2204|NSW:Hornsby:2077|NSW:Epping:2121|NSW:Ryde:2112|NSW:Castle Hill:2154|NSW:Cronulla:2230|NSW:Hurstville:2220|NSW:Wollongong:2500|NSW:Newcastle:2300|NSW:Gosford:2250|NSW:Dubbo:2830|NSW:Orange:2800|NSW:Wagga Wagga:2650|NSW:Tamworth:2340|NSW:Port Macquarie:2444|NSW:Lismore:2480|QLD:Toowong:4066|QLD:Indooroopilly:4068|QLD:Chermside:4032|QLD:Sunnybank:4109|QLD:Carindale:4152|QLD:Southport:4215|QLD:Surfers Paradise:4217|QLD:Maroochydore:4558|QLD:Toowoomba:4350|QLD:Cairns:4870|QLD:Townsville:4810|QLD:Mackay:4740|QLD:Rockhampton:4700|QLD:Ipswich:4305|QLD:Logan Central:4114|QLD:Redcliffe:4020|SA:Glenelg:5045|SA:Norwood:5067|SA:Unley:5061|SA:Prospect:5082|SA:Salisbury:5108|SA:Elizabeth:5112|SA:Mount Barker:5251|SA:Port Adelaide:5015|SA:Marion:5043|WA:Fremantle:6160|WA:Subiaco:6008|WA:Joondalup:6027|WA:Scarborough:6019|WA:Cottesloe:6011|WA:Midland:6056|WA:Rockingham:6168|WA:Mandurah:6210|WA:Bunbury:6230|WA:Armadale:6112|TAS:Sandy Bay:7005|TAS:Launceston:7250|TAS:Devonport:7310|TAS:Glenorchy:7010|TAS:Burnie:7320|NT:Darwin:0800|NT:Palmerston:0830|NT:Alice Springs:0870|NT:Casuarina:0810|ACT:Belconnen:2617|ACT:Woden:2606|ACT:Tuggeranong:2900|ACT:Gungahlin:2912|ACT:Kingston:2604|ACT:Braddon:2612"""
SUBURBS = [tuple(s.split(":")) for s in _raw.split("|")]

KB_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
KB = {}
for r, row in enumerate(KB_ROWS):
    for c, ch in enumerate(row):
        nb = [row[j] for j in (c - 1, c + 1) if 0 <= j < len(row)]
        if r > 0:
            nb += [KB_ROWS[r - 1][j] for j in (c, c + 1) if 0 <= j < len(KB_ROWS[r - 1])]
        if r < 2:
            nb += [KB_ROWS[r + 1][j] for j in (c - 1, c) if 0 <= j < len(KB_ROWS[r + 1])]
        KB[ch] = nb

OCR = [("0", "o"), ("o", "0"), ("1", "l"), ("l", "1"), ("5", "s"), ("s", "5"),
       ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl")]
PHON = [(r"ph", "f"), (r"\bF", "Ph"), (r"ck", "k"), (r"c(?=[aou])", "k"), (r"k(?=[aou])", "c"),
        (r"\bC(?=[aou])", "K"), (r"\bK(?=[aou])", "C"), (r"ee", "ea"), (r"ea", "ee"), (r"y\b", "ie"),
        (r"ie\b", "y"), (r"ey\b", "y"), (r"ai", "ay"), (r"ou", "ow"), (r"th", "t"), (r"z", "s"),
        (r"x", "ks"), (r"er\b", "a"), (r"son\b", "sen"), (r"sen\b", "son"), (r"\bMc", "Mac"),
        (r"\bMac", "Mc"), (r"([bdfgklmnprstz])\1", r"\1"), (r"([aeiou])([lnrt])([aeiou])", r"\1\2\2\3"),
        (r"ine\b", "een"), (r"ph", "ff"), (r"i(?=[^aeiou][aeiou])", "y"), (r"tch", "ch"), (r"gh\b", ""),
        (r"a\b", "er"), (r"or\b", "er"), (r"ow\b", "o")]

CLASSES = {  # weight
    "kbd": 1.5, "ins": 1.0, "del": 1.0, "transp": 1.0, "ocr": 1.0, "phonetic": 1.0, "nickname": 1.0,
    "swap_names": 0.7, "missing": 1.0, "replace": 0.8, "split_merge": 0.8, "house_transp": 0.8,
    "postcode_off": 1.0, "addr_swap": 0.7}
CHAR_FIELDS = [("given_name", 0.3), ("surname", 0.3), ("address_1", 0.2), ("suburb", 0.15), ("address_2", 0.05)]
COLS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state"]


def zipf_weights(n, s):
    return [1.0 / (i + 1) ** s for i in range(n)]


class Gen:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        rng = self.rng
        self.male = MALE[:]; rng.shuffle(self.male)
        self.female = FEMALE[:]; rng.shuffle(self.female)
        self.sur = SURNAMES[:]; rng.shuffle(self.sur)
        self.wm = zipf_weights(len(self.male), 0.7)
        self.wf = zipf_weights(len(self.female), 0.7)
        self.ws = zipf_weights(len(self.sur), 0.8)
        self.subs = SUBURBS[:]; rng.shuffle(self.subs)
        self.wsub = zipf_weights(len(self.subs), 0.5)
        # each suburb has its own set of streets
        self.sub_streets = {}
        for st, sub, pc in self.subs:
            names = rng.sample(STREETS, 25)
            self.sub_streets[sub] = [f"{n} {rng.choice(TYPES)}" for n in names]
        self.nick_rev = {}
        for f, ns in NICK.items():
            for n in ns:
                self.nick_rev.setdefault(n, []).append(f)

    # ---------- originals ----------
    def given(self, sex):
        rng = self.rng
        if sex == "m":
            return rng.choices(self.male, self.wm)[0]
        return rng.choices(self.female, self.wf)[0]

    def number(self):
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return str(rng.randint(1, 9))
        if r < 0.8:
            return str(rng.randint(10, 99))
        return str(rng.randint(100, 450))

    def addr2(self):
        rng = self.rng
        if rng.random() >= self.a.addr2:
            return ""
        return rng.choice(ADDR2).format(n=rng.randint(1, 40))

    def person_name(self, sex):
        formal = self.given(sex)
        g = formal
        if formal in NICK and self.rng.random() < self.a.nick_orig:
            g = self.rng.choice(NICK[formal])
        return g, formal

    def new_original(self):
        rng = self.rng
        sex = rng.choice("mf")
        g, formal = self.person_name(sex)
        s = rng.choices(self.sur, self.ws)[0]
        st, sub, pc = rng.choices(self.subs, self.wsub)[0]
        return dict(given_name=g, surname=s, street_number=self.number(),
                    address_1=rng.choice(self.sub_streets[sub]), address_2=self.addr2(),
                    suburb=sub, postcode=pc, state=st, _formal=formal, _sex=sex)

    def household_member(self, o, members):
        """A new person at o's address with o's surname; first name unlike every member's
        (no same formal name, no shared nickname), so that the two are distinguishable."""
        rng = self.rng
        taken = set()
        for m in members:
            taken |= {m["given_name"], m["_formal"]} | set(NICK.get(m["_formal"], []))
            taken |= set(self.nick_rev.get(m["given_name"], []))
        for _ in range(200):
            sex = rng.choice("mf")
            g, formal = self.person_name(sex)
            mine = {g, formal} | set(NICK.get(formal, [])) | set(self.nick_rev.get(g, []))
            if not (mine & taken):
                break
        r = dict(o)
        r.update(given_name=g, _formal=formal, _sex=sex)
        return r

    def namesake(self, o):
        rng = self.rng
        r = dict(o)
        streets = [s for s in self.sub_streets[o["suburb"]] if s != o["address_1"]]
        r.update(address_1=rng.choice(streets), street_number=self.number(), address_2=self.addr2())
        return r

    # ---------- errors ----------
    def field_for_chars(self, r):
        opts = [(f, w) for f, w in CHAR_FIELDS if len(r[f]) >= 2]
        return self.rng.choices([f for f, _ in opts], [w for _, w in opts])[0]

    def applicable(self, r, cls):
        if cls == "nickname":
            return r["given_name"] in NICK or r["given_name"] in self.nick_rev
        if cls == "swap_names":
            return bool(r["given_name"]) and bool(r["surname"])
        if cls == "house_transp":
            n = r["street_number"]
            return any(n[i] != n[i + 1] for i in range(len(n) - 1)) if n.isdigit() else False
        if cls == "postcode_off":
            return len(r["postcode"]) == 4 and r["postcode"].isdigit()
        if cls == "addr_swap":
            return bool(r["address_2"]) and bool(r["address_1"])
        if cls == "ocr":
            return bool(self.ocr_opts(r))
        if cls == "phonetic":
            return bool(self.phon_opts(r))
        return True

    def ocr_opts(self, r):
        opts = []
        for f in ("given_name", "surname", "address_1", "suburb", "street_number", "postcode"):
            v = r[f]; lv = v.lower()
            for a, b in OCR:
                i = lv.find(a)
                while i >= 0:
                    opts.append((f, i, a, b))
                    i = lv.find(a, i + 1)
        return opts

    def phon_opts(self, r):
        opts = []
        for f in ("given_name", "surname", "suburb", "address_1"):
            v = r[f]
            for pat, rep in PHON:
                for m in re.finditer(pat, v):
                    nv = v[:m.start()] + m.expand(rep) + v[m.end():]
                    if nv != v and len(nv) >= 2:
                        opts.append((f, nv))
        return opts

    def apply(self, r, cls, o):
        rng = self.rng
        if cls in ("kbd", "ins", "del", "transp"):
            f = self.field_for_chars(r)
            v = r[f]
            letters = [i for i, ch in enumerate(v) if ch.isalpha()]
            if cls == "kbd":
                i = rng.choice(letters)
                ch = v[i]
                n = rng.choice(KB[ch.lower()])
                v = v[:i] + (n.upper() if ch.isupper() else n) + v[i + 1:]
            elif cls == "ins":
                i = rng.randint(1, len(v))
                base = v[i - 1].lower()
                n = rng.choice(KB.get(base, list("abcdefghijklmnopqrstuvwxyz")) + [base] * 2) \
                    if base.isalpha() else rng.choice("aeiou")
                v = v[:i] + n + v[i:]
            elif cls == "del":
                i = rng.choice(letters[1:] or letters)
                v = v[:i] + v[i + 1:]
            else:
                cand = [i for i in range(len(v) - 1) if v[i] != v[i + 1] and v[i] != " " and v[i + 1] != " "]
                if not cand:
                    return None
                i = rng.choice(cand)
                a, b = v[i], v[i + 1]
                if a.isupper() and (i == 0 or v[i - 1] == " "):
                    a, b = a.lower(), b.upper()
                v = v[:i] + b + a + v[i + 2:]
            r[f] = v
            return f
        if cls == "ocr":
            f, i, a, b = rng.choice(self.ocr_opts(r))
            v = r[f]
            seg = v[i:i + len(a)]
            rep = b.upper() if seg[:1].isupper() and b.isalpha() and i == 0 else b
            r[f] = v[:i] + rep + v[i + len(a):]
            return f
        if cls == "phonetic":
            f, nv = rng.choice(self.phon_opts(r))
            r[f] = nv
            return f
        if cls == "nickname":
            g = r["given_name"]
            if g in NICK:
                r["given_name"] = rng.choice(NICK[g])
            else:
                fs = self.nick_rev[g]
                r["given_name"] = o["_formal"] if o["_formal"] in fs else rng.choice(fs)
            return "given_name"
        if cls == "swap_names":
            r["given_name"], r["surname"] = r["surname"], r["given_name"]
            return "names"
        if cls == "missing":
            opts = [(f, w) for f, w in [("given_name", .2), ("surname", .1), ("street_number", .15),
                                         ("address_1", .1), ("address_2", .15), ("suburb", .1),
                                         ("postcode", .15), ("state", .05)] if r[f]]
            f = rng.choices([f for f, _ in opts], [w for _, w in opts])[0]
            r[f] = ""
            return f
        if cls == "replace":
            f = rng.choices(["given_name", "surname", "address_1", "suburb"], [.35, .25, .2, .2])[0]
            for _ in range(50):
                if f == "given_name":
                    nv = self.given(o["_sex"])
                elif f == "surname":
                    nv = rng.choices(self.sur, self.ws)[0]
                elif f == "address_1":
                    nv = rng.choice(self.sub_streets[o["suburb"]])
                else:
                    nv = rng.choices(self.subs, self.wsub)[0][1]
                if nv != r[f]:
                    break
            r[f] = nv
            return f
        if cls == "split_merge":
            f = rng.choices(["address_1", "suburb", "surname", "given_name", "address_2"], [.35, .3, .2, .1, .05])[0]
            v = r[f]
            if len(v) < 4:
                f = "address_1"; v = r[f]
                if len(v) < 4:
                    return None
            if " " in v and rng.random() < 0.7:
                idx = [i for i, ch in enumerate(v) if ch == " "]
                i = rng.choice(idx)
                v = v[:i] + v[i + 1:]  # merge: drop the space
                if rng.random() < 0.5:
                    v = v[:i] + v[i:i + 1].lower() + v[i + 1:]
            else:
                words = v.split(" ")
                wi = rng.choice([k for k, w in enumerate(words) if len(w) >= 4] or [0])
                w = words[wi]
                if len(w) < 4:
                    return None
                j = rng.randint(2, len(w) - 2)
                second = w[j:]
                if rng.random() < 0.5:
                    second = second[:1].upper() + second[1:]
                words[wi] = w[:j] + " " + second
                v = " ".join(words)
            r[f] = v
            return f
        if cls == "house_transp":
            n = r["street_number"]
            cand = [i for i in range(len(n) - 1) if n[i] != n[i + 1]]
            i = rng.choice(cand)
            r["street_number"] = n[:i] + n[i + 1] + n[i] + n[i + 2:]
            return "street_number"
        if cls == "postcode_off":
            p = r["postcode"]
            i = rng.randrange(4)
            d = rng.choice([c for c in "0123456789" if c != p[i]])
            r["postcode"] = p[:i] + d + p[i + 1:]
            return "postcode"
        if cls == "addr_swap":
            r["address_1"], r["address_2"] = r["address_2"], r["address_1"]
            return "address"
        raise ValueError(cls)

    def duplicate(self, o):
        rng = self.rng
        r = {k: o[k] for k in COLS[1:]}
        n = rng.randint(self.a.min_err, self.a.max_err)
        done, details = [], []
        tries = 0
        while len(done) < n and tries < 200:
            tries += 1
            opts = [c for c in CLASSES if c not in done and self.applicable(r, c)]
            if not opts:
                break
            c = rng.choices(opts, [CLASSES[x] for x in opts])[0]
            before = dict(r)
            f = self.apply(r, c, o)
            if f is None or r == before:
                r = before
                continue
            done.append(c)
            details.append(f"{c}:{f}")
        return r, done, details

    def run(self):
        a, rng = self.a, self.rng
        origs = []
        negs = []
        hh = collections.defaultdict(list)  # members at one address with one surname
        for i in range(a.originals):
            x = rng.random()
            if origs and x < a.households:
                base = rng.choice(origs)
                key = (base["surname"], base["street_number"], base["address_1"], base["address_2"], base["suburb"])
                o = self.household_member(base, hh[key]); neg = "household"
            elif origs and x < a.households + a.namesakes:
                o = self.namesake(rng.choice(origs)); neg = "namesake"
            else:
                o = self.new_original(); neg = ""
            o["_entity"] = i + 1
            origs.append(o); negs.append(neg)
            hh[(o["surname"], o["street_number"], o["address_1"], o["address_2"], o["suburb"])].append(o)
        # assign duplicates: pick originals at random, at most max_dups each
        counts = [0] * len(origs)
        rows = []
        for i, o in enumerate(origs):
            rows.append((o, dict((k, o[k]) for k in COLS[1:]), "orig", [], [], negs[i]))
        nd = 0
        if a.dups == a.originals and a.max_dups == 1:
            chosen = list(range(len(origs)))
        else:
            chosen = []
            while len(chosen) < a.dups:
                k = rng.randrange(len(origs))
                if counts[k] < a.max_dups:
                    counts[k] += 1; chosen.append(k)
        for k in chosen:
            o = origs[k]
            d, cls, det = self.duplicate(o)
            rows.append((o, d, "dup", cls, det, negs[k]))
        rng.shuffle(rows)
        with open(a.out, "w", newline="") as fo, open(a.out.replace(".csv", ".truth.csv"), "w", newline="") as ft:
            w = csv.writer(fo); t = csv.writer(ft)
            w.writerow(COLS)
            t.writerow(["rec_id", "entity", "role", "neg", "n_err", "classes", "details"])
            for i, (o, d, role, cls, det, neg) in enumerate(rows):
                rid = f"rec-{i + 1}"
                w.writerow([rid] + [d[c] for c in COLS[1:]])
                t.writerow([rid, o["_entity"], role, neg, len(cls), ";".join(cls), ";".join(det)])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--originals", type=int, default=2000)
    p.add_argument("--dups", type=int, default=2000)
    p.add_argument("--max-dups", type=int, default=1)
    p.add_argument("--min-err", type=int, default=1)
    p.add_argument("--max-err", type=int, default=3)
    p.add_argument("--households", type=float, default=0.05)
    p.add_argument("--namesakes", type=float, default=0.03)
    p.add_argument("--nick-orig", type=float, default=0.08)
    p.add_argument("--addr2", type=float, default=0.3)
    Gen(p.parse_args()).run()


if __name__ == "__main__":
    main()
