"""Word lists for gen_people.py: names, nicknames, streets, suburbs (written for this benchmark).

Plain data, no logic beyond splitting the strings. Order matters only for determinism: the
generator draws from these lists by index with its seeded random.Random.
"""


def _words(s):
    return [w.replace("_", " ") for w in s.split()]


# Formal given name -> nicknames (and short forms). Both directions are used by the `nickname`
# corruption: a formal name becomes one of its nicknames, a nickname becomes its formal name.
NICKNAMES_MALE = {
    "William": ["Bill", "Will", "Billy", "Liam"],
    "Robert": ["Bob", "Rob", "Bobby", "Robbie"],
    "Richard": ["Rick", "Rich", "Dick", "Richie"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "John": ["Jack", "Johnny"],
    "Jonathan": ["Jon", "Jonny"],
    "Michael": ["Mike", "Mick", "Mikey"],
    "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris", "Kit"],
    "Joseph": ["Joe", "Joey"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Andrew": ["Andy", "Drew"],
    "Edward": ["Ed", "Eddie", "Ted", "Ned"],
    "Benjamin": ["Ben", "Benny"],
    "Samuel": ["Sam", "Sammy"],
    "Alexander": ["Alex", "Sandy", "Xander"],
    "Nicholas": ["Nick", "Nicky"],
    "Patrick": ["Pat", "Paddy"],
    "Peter": ["Pete"],
    "David": ["Dave", "Davey"],
    "Stephen": ["Steve"],
    "Timothy": ["Tim", "Timmy"],
    "Gregory": ["Greg"],
    "Kenneth": ["Ken", "Kenny"],
    "Ronald": ["Ron", "Ronnie"],
    "Donald": ["Don", "Donnie"],
    "Charles": ["Charlie", "Chas", "Chuck"],
    "Henry": ["Harry", "Hank"],
    "Francis": ["Frank"],
    "Frederick": ["Fred", "Freddie"],
    "Lawrence": ["Larry", "Laurie"],
    "Raymond": ["Ray"],
    "Gerald": ["Gerry", "Jerry"],
    "Douglas": ["Doug"],
    "Phillip": ["Phil"],
    "Nathaniel": ["Nate", "Nat"],
    "Zachary": ["Zac", "Zack"],
    "Joshua": ["Josh"],
    "Jacob": ["Jake"],
    "Giuseppe": ["Beppe", "Pino"],
    "Giovanni": ["Gianni"],
    "Francesco": ["Franco"],
    "Alejandro": ["Alejo"],
    "José": ["Pepe"],
    "Dimitrios": ["Dimitri", "Jim"],
    "Konstantinos": ["Con", "Kostas"],
    "Johannes": ["Hans", "Jan"],
    "Mohammed": ["Mo"],
}
NICKNAMES_FEMALE = {
    "Elizabeth": ["Liz", "Beth", "Lizzie", "Betty", "Eliza"],
    "Margaret": ["Maggie", "Peggy", "Meg", "Marge"],
    "Catherine": ["Cathy", "Kate", "Cate"],
    "Katherine": ["Kate", "Kathy", "Katie", "Kat"],
    "Jennifer": ["Jen", "Jenny"],
    "Jessica": ["Jess", "Jessie"],
    "Rebecca": ["Becky", "Bec"],
    "Deborah": ["Deb", "Debbie"],
    "Susan": ["Sue", "Susie"],
    "Patricia": ["Trish", "Patty", "Pat"],
    "Victoria": ["Vicky", "Tori"],
    "Alexandra": ["Lexi", "Alex"],
    "Christine": ["Chrissie", "Chris"],
    "Samantha": ["Sam", "Sammy"],
    "Barbara": ["Barb", "Babs"],
    "Dorothy": ["Dot", "Dottie"],
    "Kimberley": ["Kim"],
    "Rosemary": ["Rose", "Rosie"],
    "Abigail": ["Abby"],
    "Amanda": ["Mandy"],
    "Judith": ["Judy"],
    "Pamela": ["Pam"],
    "Jacqueline": ["Jackie"],
    "Theresa": ["Tess", "Terri"],
    "Josephine": ["Jo", "Josie"],
    "Isabella": ["Bella", "Izzy"],
    "Gabrielle": ["Gabby"],
    "Francesca": ["Fran", "Frankie"],
    "Madeleine": ["Maddie"],
    "Antonia": ["Toni"],
}

# Other given names (no nickname entry). Several origins; some non-ASCII.
OTHER_MALE = _words("""
Liam Noah Oliver Lucas Ethan Mason Logan Hunter Cooper Riley Harrison Lachlan Hamish Angus Callum
Fergus Declan Ciarán Seán Eoin Connor Brendan Aidan Kieran Tristan Jasper Felix Hugo Oscar Leo
Arthur Albert Walter Harold Norman Stanley Leonard Bruce Graham Colin Trevor Wayne Craig Darren
Brett Shane Glenn Dean Luke Mark Paul Adam Simon Scott Jason Troy Kyle Blake Jarrah Kane Tane
Wiremu Hemi Rawiri Sione Tevita Viliami Marco Luca Matteo Alessandro Lorenzo Stefano Salvatore
Vincenzo Carlo Paolo Enzo Nikos Giorgos Yiannis Christos Spiros Stavros Andreas Panagiotis
Minh Huy Tuấn Dũng Quang Thanh Khoa Bao Wei Jun Hao Jian Ming Tao Chen Hiroshi Kenji Takeshi Yuto
Haruto Min-jun Ji-ho Seo-jun Arjun Rohan Vikram Rahul Sanjay Amit Ravi Pradeep Aditya Karan
Omar Ahmed Ali Hassan Youssef Karim Tariq Bilal Khalid Rami Mateo Santiago Diego Javier Carlos
Andrés Ramón Jesús Joaquín Tomás João Rui Tiago Gonçalo Lars Søren Björn Anders Nils Mikael
Jörg Jürgen Klaus Dieter Stefan Łukasz Paweł Krzysztof Tomasz Marek Zoran Dragan Milan Goran
Ivan Dmitri Sergei Mehmet Emre Murat Kemal François Étienne Théo Rémi Lucien
""")
OTHER_FEMALE = _words("""
Olivia Charlotte Amelia Ava Mia Grace Chloe Chloé Ruby Sophie Emily Ella Harper Matilda Zoë Zoe
Isla Evie Lily Sienna Willow Hannah Georgia Layla Ivy Audrey Hazel Alice Eleanor Florence Edith
Mabel Nancy Joan Shirley Beverley Lorraine Heather Karen Sharon Michelle Lisa Nicole Melissa
Kylie Tania Leanne Belinda Natalie Renée Simone Danielle Jodie Carly Brooke Tahlia Shanae Aroha
Mere Ngaire Losana Mele Ana Giulia Francesca Chiara Alessia Martina Rosa Lucia Angela Maria
Sofia Eleni Katerina Despina Georgia Anastasia Vasiliki Lan Linh Hương Mai Thảo Ngọc Trang Mei
Xiu Ying Li Na Fang Yuki Sakura Aiko Haruka Ji-woo Seo-yeon Priya Ananya Deepa Lakshmi Kavya
Sunita Neha Pooja Fatima Aisha Layal Mariam Noor Yasmin Zainab Leila Carmen Lucía Valentina
Camila Isabel Mercedes Inês Beatriz Leonor Ingrid Astrid Freya Sigrid Linnea Åsa Birgit Jürgen
Ursula Heike Sabine Małgorzata Agnieszka Katarzyna Zofia Jelena Ivana Milica Olga Natasha Svetlana
Elif Ayşe Zeynep Élodie Amélie Margaux Siobhán Niamh Aoife Róisín Saoirse Bridget Maeve
""")
# "Jürgen" slipped into the female list above would be wrong; remove it there.
OTHER_FEMALE = [n for n in OTHER_FEMALE if n != "Jürgen"]

# Surnames. The first block is the common ones (drawn more often).
COMMON_SURNAMES = _words("""
Smith Jones Williams Brown Wilson Taylor Johnson White Martin Anderson Thompson Nguyen Thomas Walker
Harris Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel
Khan Lewis James Phillips Mitchell Campbell Turner Murphy Cook Edwards Tran Young Scott Hill Moore
""")
OTHER_SURNAMES = _words("""
O'Brien O'Connor O'Sullivan O'Neill Byrne Gallagher McCarthy Fitzgerald Doyle Quinn Brennan Kavanagh
MacDonald McKenzie Stewart Fraser Robertson Henderson Sutherland Cameron Ferguson Morrison Macleod
Rossi Russo Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca Esposito Lombardi
Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Papadopoulos Georgiou Nikolaidis
Christodoulou Papadakis Konstantinou Ioannou Dimitriou Pappas Vlahos Nguyễn Trần Le Lê Pham Phạm
Huynh Hoang Phan Vu Võ Dang Bui Do Ho Ngo Duong Ly Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou
Xu Sun Ma Zhu Hu Guo He Lin Luo Cheng Chan Wong Lam Cheung Leung Ng Chow Tang Singh Kaur Sharma
Kumar Gupta Reddy Nair Iyer Rao Mehta Shah Chopra Desai Joshi Pillai Menon Haddad Khoury Nassar
Saleh Hassan Ibrahim Mansour Rahman Abboud Aziz Karam Müller Schmidt Schneider Fischer Weber Meyer
Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz
Zimmermann Braun Krüger Hartmann Lange de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Visser
Smit Meijer Hansen Johansen Andersen Nielsen Larsen Sørensen Jørgensen Lindqvist Åberg Björk
Eriksson Lindström Nyström Kowalski Nowak Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski
Zieliński Szymański Woźniak García Rodríguez Martínez Hernández López González Pérez Sánchez
Ramírez Torres Flores Rivera Gómez Díaz Núñez Ortiz Morales Castillo Jiménez Romero Silva Santos
Oliveira Souza Pereira Costa Ferreira Gonçalves Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın Arslan
Doğan Horvat Kovačević Babić Marić Jurić Petrović Jovanović Nikolić Đorđević Kim Park Choi Jung
Kang Cho Yoon Jang Lim Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Reyes
Cruz Bautista Ocampo Mendoza Aquino Ngata Parata Tupou Fifita Taufa Leota Faleolo Baker Carter
Parker Collins Bennett Bell Ward Cooper Morgan Hughes Price Barnes Fisher Hayes Ross Graham Ellis
Murray Gibson Marshall Owen Kennedy Hunt Palmer Mills Holmes Rogers Stevens Reid Reed Grant Hamilton
Gordon Webb Simpson Chapman Harvey Burke Lawrence Pearce Dixon Fleming Burns Sullivan Knight
Hudson Lane Andrews Spencer Porter Willis Payne Wallace Dawson Bishop Chambers Russell Matthews
Brooks Hart Black Pearson Atkinson Lloyd Rice Barker Warren Newman Crawford Cunningham Armstrong
Hodges Nicholson Sinclair Thornton Whitfield Ashworth Pemberton Blackwood Ainsworth Fairweather
Smith-Jones Harris-Taylor
""")

STREET_NAMES = _words("""
George King Queen Victoria Albert Church Station High Park Railway Bridge Mill Hill Beach Ocean
Forest Wattle Banksia Acacia Jacaranda Waratah Boronia Grevillea Kurrajong Coolabah Bottlebrush
Ironbark Mimosa Melaleuca Anembo Wanganee Barrenjoey Warrigal Kookaburra Currawong Lyrebird Wombat
Brolga Jabiru Bellbird Oxley Macquarie Flinders Hume Sturt Lawson Wentworth Blaxland Bass Cook
Banks Phillip Hunter Bligh Darling Stirling Hindmarsh Light Kingston Parkes Barton Deakin Menzies
Chifley Curtin Lyons Fisher Hughes Monash Chauvel Gallipoli Anzac Kokoda Tobruk Marine Harbour
River Lake Creek Valley Ridge Summit Orchard Vineyard Meadow Heather Lavender Camellia Magnolia
Gardenia Azalea Hibiscus Frangipani Poinciana Kennedy Lincoln Wellington Nelson Raglan Cardigan
Balaclava Inkerman Alma Sebastopol Windsor York Cambridge Oxford Regent Pitt Castlereagh Bourke
Collins Lonsdale Swanston Russell Exhibition Spencer Lygon Brunswick Johnston Gertrude Napier
Nicholson Hoddle Punt Chapel Glenferrie Burwood Canterbury Riversdale Whitehorse Maroondah Nepean
Pacific Princes Great_Western New_England Bruxner Gwydir Barrier Mitchell Dunmore Yarrabee Kanimbla
Tallowwood Bunya Moreton Coral Reef Pandanus Casuarina Tuart Jarrah Karri Marri Wandoo Quandong
Illawarra Bellevue Carrington Glebe Edgecliff Hopetoun Tennyson Wordsworth Byron Shelley Keats
Lachlan Murrumbidgee Goulburn Loddon Campaspe Avoca Wimmera Moonah Lilly_Pilly Bimbadeen Woolwich
""")

# Street type -> abbreviation (None: no common abbreviation), with a relative weight.
STREET_TYPES = [
    ("Street", "St", 30), ("Road", "Rd", 18), ("Avenue", "Ave", 12), ("Drive", "Dr", 8),
    ("Court", "Ct", 6), ("Place", "Pl", 6), ("Crescent", "Cres", 5), ("Close", "Cl", 4),
    ("Lane", "Ln", 3), ("Parade", "Pde", 2), ("Terrace", "Tce", 2), ("Way", None, 3),
    ("Highway", "Hwy", 1), ("Boulevard", "Blvd", 1), ("Circuit", "Cct", 2), ("Grove", "Gr", 2),
]

ADDRESS2_UNITS = ["Unit", "Apt", "Flat", "Level", "Suite", "Shop", "Villa"]
ADDRESS2_PLACES = _words("""
Rosedale Carinya Bellevue The_Pines Glenrowan_Farm Wattle_Park Kirrawee_House Fernleigh
Strathmore Yarrabah_Station Willow_Cottage Hillcrest Riverview_Court Seaview Greystanes_Lodge
Banksia_Village Mountain_View Kingsford_Gardens Lakeside_Retreat Acacia_Manor
""")

# Suburbs and towns per state. A few names occur in two states (Richmond, Kingston, Brighton,
# Paddington ...), as they do in reality; each occurrence has its own postcode.
SUBURBS_BY_STATE = {
    "NSW": _words("""
Bondi Coogee Manly Mosman Balmain Glebe Newtown Marrickville Parramatta Blacktown Penrith Liverpool
Campbelltown Hornsby Chatswood Ryde Epping Strathfield Burwood Ashfield Cronulla Miranda Sutherland
Wollongong Kiama Nowra Gosford Wyong Newcastle Maitland Cessnock Tamworth Armidale Dubbo Orange
Bathurst Goulburn Wagga_Wagga Albury Griffith Lismore Ballina Byron_Bay Grafton Coffs_Harbour
Port_Macquarie Taree Queanbeyan Moss_Vale Bowral Katoomba Richmond Windsor Castle_Hill Baulkham_Hills
Paddington Kirrawee Coonabarabran Mudgee Gundagai Cootamundra Yass Junee Narrandera Leeton
Deniliquin Moama Corowa Wanganee Brighton
"""),
    "VIC": _words("""
Fitzroy Carlton Brunswick Northcote Preston Coburg Richmond Hawthorn Kew Camberwell Box_Hill
Doncaster Ringwood Frankston Dandenong Footscray Sunshine Werribee Geelong Ballarat Bendigo Shepparton
Mildura Warrnambool Traralgon Sale Bairnsdale Wodonga Wangaratta Echuca Horsham Hamilton Portland
Castlemaine Daylesford Torquay Lorne Mornington Sorrento Pakenham Berwick Cranbourne Brighton
St_Kilda Prahran Toorak Malvern Elsternwick Caulfield Bentleigh Moorabbin Cheltenham Mentone
Yarrawonga Kyabram Seymour Euroa Benalla Bright Myrtleford Beechworth
"""),
    "QLD": _words("""
Fortitude_Valley New_Farm Paddington Toowong Indooroopilly Chermside Carindale Logan_Central Ipswich
Toowoomba Southport Surfers_Paradise Robina Nerang Caloundra Maroochydore Noosa_Heads Nambour
Gympie Bundaberg Hervey_Bay Rockhampton Gladstone Mackay Townsville Cairns Mount_Isa Emerald
Dalby Warwick Stanthorpe Kingaroy Redcliffe Strathpine Caboolture Cleveland Capalaba Wynnum
"""),
    "SA": _words("""
Glenelg Norwood Unley Prospect Burnside Magill Salisbury Elizabeth Modbury Marion Morphett_Vale
Mount_Barker Victor_Harbor Murray_Bridge Port_Augusta Whyalla Port_Lincoln Mount_Gambier Gawler
Brighton
"""),
    "WA": _words("""
Fremantle Subiaco Cottesloe Scarborough Joondalup Midland Armadale Rockingham Mandurah Bunbury
Busselton Albany Geraldton Kalgoorlie Broome Karratha Port_Hedland Claremont Nedlands Victoria_Park
"""),
    "TAS": _words("Hobart Sandy_Bay Glenorchy Kingston Launceston Devonport Burnie Ulverstone New_Norfolk Sorell"),
    "ACT": _words("Belconnen Woden Tuggeranong Gungahlin Kingston Manuka Braddon Dickson Weston Holt"),
    "NT": _words("Darwin Palmerston Casuarina Nightcliff Katherine Alice_Springs Tennant_Creek Nhulunbuy"),
}

STATES = [
    # code, population weight, postcode ranges (inclusive), phone area code
    ("NSW", 32, [(2000, 2599), (2619, 2899)], "02"),
    ("VIC", 26, [(3000, 3999)], "03"),
    ("QLD", 20, [(4000, 4999)], "07"),
    ("WA", 10, [(6000, 6797)], "08"),
    ("SA", 7, [(5000, 5799)], "08"),
    ("TAS", 2, [(7000, 7799)], "03"),
    ("ACT", 2, [(2600, 2618), (2900, 2920)], "02"),
    ("NT", 1, [(800, 899)], "08"),
]

EMAIL_DOMAINS = [
    ("gmail.com", 30), ("outlook.com", 10), ("hotmail.com", 8), ("bigpond.com", 8),
    ("yahoo.com.au", 6), ("icloud.com", 6), ("optusnet.com.au", 4), ("iinet.net.au", 3),
    ("tpg.com.au", 3), ("internode.on.net", 2), ("protonmail.com", 1),
]
