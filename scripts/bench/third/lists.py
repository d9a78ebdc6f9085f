"""Value lists for gen.py, written for it (not taken from any published data set).

Each list is ordered roughly from common to rare; gen.py gives the i-th entry a Zipf weight 1/(i+1)**s,
so the first entries repeat often and the tail is rare.
"""

FEMALE = """
jessica sarah emily chloe emma olivia sophie hannah charlotte georgia lauren isabella grace ella rebecca
amy jasmine mia stephanie laura rachel kate michelle samantha nicole lucy caitlin madison ashley natalie
jennifer megan amelia zoe abbey alyssa bianca brooke courtney danielle elizabeth holly jade kayla kelly
kirsten lily melissa monique nina paige phoebe renee rose ruby sienna tahlia tegan victoria alice annabel
ava bethany bridget carly catherine claire cassandra christina deborah elise erin eva fiona gemma heidi
helen imogen isla jacqueline jane jodie josephine julia karen kathleen katie kimberley leah lisa madeline
maria matilda maya melanie mikayla molly naomi patricia penelope rachael sally sharon shannon simone
susan tamara tara teresa tiffany tracey vanessa wendy yvonne zara abigail adele alana alexandra alicia
amber andrea angela anna annette april audrey barbara belinda bonnie brianna candice carmen caroline
chantelle cheryl chelsea christine cindy clara colleen crystal dana daphne denise diana donna dorothy
eleanor ellie eloise esther evie felicity frances gabrielle gail georgina gillian gloria harriet hayley
heather ingrid irene isabel ivy jacinta janet jenna joanne joy judith june kara kerry kristen kylie
leanne linda lorraine louise lucinda mackenzie mandy margaret marie marissa martha maxine meredith miranda
nadia nancy narelle natasha noelle norma pamela pauline peta priscilla robyn rochelle roslyn sabrina
selina shauna sheridan sonia stacey stella sylvia tania tessa thea trudy una valerie vera violet willow
yasmin
"""

MALE = """
joshua jack thomas james daniel matthew lachlan ryan benjamin samuel william nicholas michael luke
jacob dylan liam alexander ethan nathan christopher jordan harrison riley oliver cameron connor mitchell
bailey blake brodie callum david patrick andrew jake joel kane kyle lucas max noah oscar aidan adam aaron
alex anthony ashley austin bradley brandon brendan brett bryce caleb charles cody cooper corey damien
dean declan dominic edward elijah eli finn flynn fraser gabriel george hamish henry hugh hunter isaac
jackson jai jarrod jason jayden jesse john jonathan jonah joseph justin kieran kurt lewis logan marcus
mark mason nathaniel neil owen paul peter phillip raymond reece rhys richard robert ronan ross scott
sean seth shane simon stephen steven stuart taylor timothy toby travis trent tristan troy tyler vincent
wade warren wayne zac zachary alan albert allan angus archie arthur barry bernard bruce carl colin craig
darren dennis derek douglas duncan edwin eric felix frank fred gavin geoffrey gerard glen gordon graham
grant gregory harold harry ian ivan jeremy jim keith kenneth kevin lance lawrence leon leonard lloyd
malcolm martin maurice morgan murray neville nigel norman ralph rex rodney roger roland russell ryder
sebastian spencer terence theo tobias victor walter xavier
"""

SURNAMES = """
smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen thomas walker
harris lee ryan robinson kelly king davis wright evans roberts green hall wood jackson clarke patel
khan lewis james phillips mitchell campbell turner morris cooper young hill edwards collins stewart
morgan murphy ward baker scott cook bell allen clark watson parker adams rogers bennett reid hughes
mcdonald davies miller price ross graham carter fraser webb marshall kennedy hunt burns chapman harvey
murray gray hamilton russell mason stevens simpson jenkins grant hughson dawson lawson fleming o'brien
o'connor sullivan barnes richards pearce dixon henderson reynolds lloyd palmer gibson kerr cameron
wallace ellis ferguson chambers holmes payne gordon hart burke mills hayes stone ford warren lynch
hudson matthews tran pham le vo chen wang li zhang liu singh sharma kaur gupta nair rossi russo
ferrari esposito bianchi romano ricci costa papadopoulos nikolaidis georgiou kowalski nowak novak
mueller schmidt schneider fischer weber becker hoffmann wagner van der berg de silva fernando perera
dias lopez garcia martinez rodriguez hernandez gonzalez santos silva pereira da costa mcintyre mckenzie
mcleod macdonald mackay mcgrath mckay macleod mcpherson mclean mccarthy o'neill o'sullivan fitzgerald
donnelly doherty quinn gallagher brennan byrne walsh keane power nolan daly casey dunne hogan burgess
lambert hobbs hodges hopkins howell hurst jarvis jennings kemp knight lamb lane little lowe marsh
maxwell mcmahon meyer moody moss newman nicholls norris oliver osborne owen page parsons perry pike
potter preston randall rees rhodes riley rowe saunders sharp shaw sims slater spencer stanley steele
sutton sykes talbot thornton tucker vaughan wade walters warner watts weaver west wheeler whitehead
wilkinson willis winter wyatt yates abbott ashby atkinson bailey banks barker barlow bartlett bates
baxter beale bird blackwell bolton bond booth bowen boyd bradley brooks buckley bull burton butler
carr chandler cole coleman connolly conway crawford cross curtis dalton day dean dennis dodd doyle
duncan dyer eaton elliott farrell fisher fletcher forbes foster fox francis frost gardner garner
gilbert goddard golding goodwin gould greenwood griffin hale hammond hancock hanson hardy harper
hawkins haynes heath hicks higgins holland holt horton howard humphries hutchinson ingram
"""

# (suburb, postcode, state): a mix of states, postcodes in each state's range
SUBURBS = """
richmond|3121|vic
st kilda|3182|vic
carlton|3053|vic
fitzroy|3065|vic
brunswick|3056|vic
footscray|3011|vic
frankston|3199|vic
geelong|3220|vic
ballarat|3350|vic
bendigo|3550|vic
hawthorn|3122|vic
box hill|3128|vic
dandenong|3175|vic
werribee|3030|vic
mildura|3500|vic
shepparton|3630|vic
wodonga|3690|vic
warrnambool|3280|vic
traralgon|3844|vic
sunbury|3429|vic
parramatta|2150|nsw
blacktown|2148|nsw
liverpool|2170|nsw
penrith|2750|nsw
bondi|2026|nsw
manly|2095|nsw
chatswood|2067|nsw
hornsby|2077|nsw
newcastle|2300|nsw
wollongong|2500|nsw
gosford|2250|nsw
dubbo|2830|nsw
orange|2800|nsw
wagga wagga|2650|nsw
albury|2640|nsw
tamworth|2340|nsw
armidale|2350|nsw
lismore|2480|nsw
coffs harbour|2450|nsw
port macquarie|2444|nsw
bathurst|2795|nsw
goulburn|2580|nsw
queanbeyan|2620|nsw
cronulla|2230|nsw
marrickville|2204|nsw
randwick|2031|nsw
ryde|2112|nsw
castle hill|2154|nsw
campbelltown|2560|nsw
kogarah|2217|nsw
maitland|2320|nsw
cessnock|2325|nsw
broken hill|2880|nsw
griffith|2680|nsw
mosman|2088|nsw
strathfield|2135|nsw
brisbane|4000|qld
toowoomba|4350|qld
ipswich|4305|qld
southport|4215|qld
surfers paradise|4217|qld
cairns|4870|qld
townsville|4810|qld
mackay|4740|qld
rockhampton|4700|qld
bundaberg|4670|qld
maroochydore|4558|qld
caloundra|4551|qld
hervey bay|4655|qld
gladstone|4680|qld
logan central|4114|qld
redcliffe|4020|qld
indooroopilla|4068|qld
chermside|4032|qld
mount isa|4825|qld
nambour|4560|qld
warwick|4370|qld
adelaide|5000|sa
glenelg|5045|sa
salisbury|5108|sa
elizabeth|5112|sa
norwood|5067|sa
mount gambier|5290|sa
whyalla|5600|sa
port augusta|5700|sa
port lincoln|5606|sa
murray bridge|5253|sa
modbury|5092|sa
noarlunga centre|5168|sa
victor harbor|5211|sa
gawler|5118|sa
prospect|5082|sa
perth|6000|wa
fremantle|6160|wa
joondalup|6027|wa
rockingham|6168|wa
mandurah|6210|wa
bunbury|6230|wa
geraldton|6530|wa
kalgoorlie|6430|wa
albany|6330|wa
armadale|6112|wa
midland|6056|wa
scarborough|6019|wa
subiaco|6008|wa
cannington|6107|wa
broome|6725|wa
karratha|6714|wa
busselton|6280|wa
hobart|7000|tas
launceston|7250|tas
devonport|7310|tas
burnie|7320|tas
kingston|7050|tas
glenorchy|7010|tas
sandy bay|7005|tas
ulverstone|7315|tas
new norfolk|7140|tas
sorell|7172|tas
canberra|2601|act
belconnen|2617|act
tuggeranong|2900|act
woden|2606|act
gungahlin|2912|act
kambah|2902|act
dickson|2602|act
fyshwick|2609|act
weston creek|2611|act
narrabundah|2604|act
darwin|0800|nt
palmerston|0830|nt
alice springs|0870|nt
katherine|0850|nt
casuarina|0810|nt
nightcliff|0810|nt
tennant creek|0860|nt
jingili|0810|nt
howard springs|0835|nt
stuart park|0820|nt
mooroolbark|3138|vic
croydon|3136|vic
ringwood|3134|vic
glen waverley|3150|vic
camberwell|3124|vic
toorak|3142|vic
essendon|3040|vic
coburg|3058|vic
preston|3072|vic
northcote|3070|vic
"""

STREET_NAMES = """
main high church george victoria king queen william elizabeth park station railway river bridge hill
john albert edward charles james mary henry albany beach ocean forest lake valley mountain spring
wattle acacia banksia waratah jacaranda bottlebrush eucalyptus grevillea boronia kurrajong
macquarie bligh phillip hunter flinders bass cook darling murray sturt hume oxley kennedy lawson
wentworth blaxland mitchell leichhardt forrest stirling hobson collins swanston bourke lonsdale
elizabeth russell spencer william queens kings princes bay harbour cliff ridge glen gully creek
anzac gallipoli kokoda tobruk anderson baker bennett campbell clarke davies evans fraser gordon
hamilton jackson kelly lewis martin morris nelson parker robinson scott taylor thompson walker
wilson wright young beaumont carrington darlington ellington fairfield greenwood hazelwood ironbark
jarrah karri marri tuart yarra torrens swan derwent tamar avon barwon goulburn hawkesbury nepean
shoalhaven clarence tweed richmond brisbane logan burnett fitzroy burdekin herbert daintree mossman
cambridge oxford windsor kensington chelsea warwick stratford canterbury salisbury winchester durham
york lancaster hereford norfolk suffolk devon cornwall dorset somerset surrey sussex kent essex
glenferrie barkly brunswick camden dandenong epping frankston geelong heidelberg ivanhoe
kooyong lygon nicholson orrong punt rathdowne sydney toorak union vale warrigal
alma belmont clyde dover eton fenton grange highfield ivy juniper keswick laurel myrtle newton
olive primrose quarry rosebery sandy tennyson upton violet waverley yarrow zetland
sunset sunrise seaview bayview hillview parkview lakeview riverview vista heritage pioneer settlers
drovers stockmans shearers miners diggers coachmans bushrangers explorers
"""

STREET_TYPES = [  # (type, weight)
    ("street", 40), ("road", 20), ("avenue", 10), ("place", 6), ("crescent", 6), ("close", 4),
    ("court", 4), ("drive", 6), ("circuit", 2), ("parade", 2), ("lane", 2), ("terrace", 2),
    ("way", 2), ("grove", 1), ("highway", 1),
]

BUILDINGS = """
kooringal rosetta village the grange camelot wattle court sunnyside lodge st ivans hillcrest
pine manor cherry lodge riverside towers harbour view brentwood house killarney tandara
yarrabee the pines kirribilli court elanora lakeside gardens bellevue mirrabooka wyndham house
"""


def words(s):
    return s.split()


def dedupe_keep_order(xs):
    seen, out = set(), []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


FEMALE_NAMES = dedupe_keep_order(words(FEMALE))
MALE_NAMES = dedupe_keep_order(words(MALE))
# multi-word surnames are written with an underscore-free marker: join the few known ones
_SURN = SURNAMES.replace("van der berg", "van_der_berg").replace("de silva", "de_silva").replace("da costa", "da_costa")
SURNAME_LIST = dedupe_keep_order(w.replace("_", " ") for w in words(_SURN))
SUBURB_LIST = [tuple(line.split("|")) for line in SUBURBS.strip().splitlines()]
STREET_NAME_LIST = dedupe_keep_order(words(STREET_NAMES))
_B = BUILDINGS.replace("rosetta village", "rosetta_village").replace("the grange", "the_grange") \
    .replace("wattle court", "wattle_court").replace("sunnyside lodge", "sunnyside_lodge") \
    .replace("st ivans", "st_ivans").replace("pine manor", "pine_manor").replace("cherry lodge", "cherry_lodge") \
    .replace("riverside towers", "riverside_towers").replace("harbour view", "harbour_view") \
    .replace("brentwood house", "brentwood_house").replace("the pines", "the_pines") \
    .replace("kirribilli court", "kirribilli_court").replace("lakeside gardens", "lakeside_gardens") \
    .replace("wyndham house", "wyndham_house")
BUILDING_LIST = dedupe_keep_order(w.replace("_", " ") for w in words(_B))
STATES = ["nsw", "vic", "qld", "sa", "wa", "tas", "act", "nt"]

if __name__ == "__main__":
    print(len(FEMALE_NAMES), len(MALE_NAMES), len(SURNAME_LIST), len(SUBURB_LIST), len(STREET_NAME_LIST),
          len(BUILDING_LIST))
    print(len(set(s for s, _, _ in SUBURB_LIST)))
