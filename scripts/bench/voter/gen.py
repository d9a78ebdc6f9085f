#!/usr/bin/env python3
"""Seeded generator of a voter-registration extract in the style of North Carolina's statewide list.

    gen.py --out DIR [--seed 1] [--people 15000]

Two snapshots of the same state list, taken `gap` years apart (1-3, drawn once per file from the seed), are
stacked into one file to be deduplicated against each other:

  DIR/voters.csv  voter_reg_num,first_name,middle_name,last_name,name_suffix,age,gender,res_street_address,
                  res_city,zip_code,phone            (upper case as the state writes it; rows shuffled)
  DIR/truth.csv   voter_reg_num,person_id,snapshot,classes
                  one line per line of voters.csv, in the same order (line i of one is line i of the other; the
                  reg num repeats across snapshots for the people who kept theirs, so it is not a key).
                  classes: a `;`-joined list of what was done to a snapshot-2 row (empty when nothing was);
                  on snapshot-1 rows only the hard-negative marks, `kind:PARTNER_PERSON_ID` with kind one of
                  father_son, twin, namesake, spouse.

Snapshot 1 holds every person. Snapshot 2 holds ~55% of them again (fewer of the oldest), with:
  age + gap (3% one year off: `age_off`; 2% of all rows have no age: `age_missing` on snapshot 2);
  30% moved (`moved`; half of them to another city and ZIP: also `moved_city`), households mostly moving together;
  voter_reg_num new for ~60% (`new_regnum`: 90% of city movers, 70% of street movers, 55% of the rest);
  12% of women aged 20-45 with a new last name (`new_last`; a fifth hyphenated OLD-NEW: `new_last_hyphen`; in a
  quarter the old last name became the middle name: `maiden_middle`);
  middle name dropped (10% of full middles: `middle_dropped`), cut to its initial (10%: `middle_initial`), an
  initial expanded (40% of initial-only middles, ~5% of rows: `middle_expanded`), a missing one added (10%:
  `middle_added`);
  suffix dropped (35% of those with one) or added (2.5% of men without): `suffix_dropped`, `suffix_added`;
  nickname <-> formal first name (14% of the rows whose name has one in NICKNAMES, ~6% of all: `nickname`);
  keyboard typos (adjacent-key substitution, deletion, insertion, transposition): first 3% `typo_first`,
  last 3% `typo_last`, middle 2% `typo_middle`, street address 3% `typo_street`;
  phone (present on ~40% of rows): dropped 20% `phone_dropped`, changed 30% of those kept `phone_changed`,
  added 13% of those without `phone_added`; gender shown as U on 2% of rows (`gender_changed` when the two
  snapshots differ).

Hard negatives (different people who look alike), in snapshot 1 and, when they reappear, snapshot 2 (per 15,000
people; scaled with --people): 400 father/son pairs (same first and last name and address, 20-35 years apart; JR/SR
on half, no suffix on either on the rest; middle names usually differ), 300 twin pairs (same last name, address and
age, different first names, a fifth of them alike such as JON/JOAN), 340 namesake pairs (same first and last name and
city, other addresses and ages), and ~1,900 couples (a man and a woman at one address, mostly one last name).

Names: ~320 male and ~330 female first names, Zipf-weighted by rank; ~320 last names, Zipf-weighted, for 70% of
people, the rest from ~1,200 rarer composed names (a list state-wide has a long tail of surnames); ~160 streets;
45 North Carolina cities weighted by population ** 0.75, each with 1-3 ZIP codes.
"""

import argparse
import csv
import os
import random
import sys
from collections import Counter


def words(s):
    return list(dict.fromkeys(s.split()))


MALE = words("""
JAMES JOHN ROBERT MICHAEL WILLIAM DAVID RICHARD CHARLES JOSEPH THOMAS CHRISTOPHER DANIEL PAUL MARK DONALD GEORGE
KENNETH STEVEN EDWARD BRIAN RONALD ANTHONY KEVIN JASON MATTHEW GARY TIMOTHY JOSE LARRY JEFFREY FRANK SCOTT ERIC
STEPHEN ANDREW RAYMOND GREGORY JOSHUA JERRY DENNIS WALTER PATRICK PETER HAROLD DOUGLAS HENRY CARL ARTHUR RYAN ROGER
JOE JUAN JACK ALBERT JONATHAN JUSTIN TERRY GERALD KEITH SAMUEL WILLIE RALPH LAWRENCE NICHOLAS ROY BENJAMIN BRUCE
BRANDON ADAM HARRY FRED WAYNE BILLY STEVE LOUIS JEREMY AARON RANDY HOWARD EUGENE CARLOS RUSSELL BOBBY VICTOR MARTIN
ERNEST PHILLIP TODD JESSE CRAIG ALAN SHAWN CLARENCE SEAN PHILIP CHRIS JOHNNY EARL JIMMY ANTONIO DANNY BRYAN TONY
LUIS MIKE STANLEY LEONARD NATHAN DALE MANUEL RODNEY CURTIS NORMAN ALLEN MARVIN VINCENT GLENN JEFFERY TRAVIS JEFF
CHAD JACOB LEE MELVIN ALFRED KYLE FRANCIS BRADLEY JESUS HERBERT FREDERICK RAY JOEL EDWIN DON EDDIE RICKY TROY
RANDALL BARRY ALEXANDER BERNARD MARIO LEROY FRANCISCO MARCUS MICHEAL THEODORE CLIFFORD MIGUEL OSCAR JAY JIM TOM
CALVIN ALEX JON RONNIE BILL LLOYD TOMMY LEON DEREK WARREN DARRELL JEROME FLOYD LEO ALVIN TIM WESLEY GORDON DEAN
GREG JORGE DUSTIN PEDRO DERRICK DAN LEWIS ZACHARY COREY HERMAN MAURICE VERNON ROBERTO CLYDE GLEN HECTOR SHANE
RICARDO SAM RICK LESTER BRENT RAMON CHARLIE TYLER GILBERT GENE MARC REGINALD RUBEN BRETT ANGEL NATHANIEL RAFAEL
LESLIE EDGAR MILTON RAUL BEN CHESTER CECIL DUANE FRANKLIN ANDRE ELMER BRAD GABRIEL RON MITCHELL ROLAND ARNOLD
HARVEY JARED ADRIAN KARL CORY CLAUDE ERIK DARRYL JAMIE NEIL JESSIE CHRISTIAN JAVIER FERNANDO CLINTON TED MATHEW
TYRONE DARREN LONNIE LANCE CODY JULIO KELLY KURT ALLAN NELSON GUY CLAYTON HUGH MAX DWAYNE DWIGHT ARMANDO FELIX
JIMMIE EVERETT JORDAN IAN WALLACE KEN BOB JAIME CASEY ALFREDO ALBERTO DAVE IVAN JOHNNIE SIDNEY BYRON JULIAN ISAAC
MORRIS CLIFTON WILLARD DARYL ROSS VIRGIL ANDY MARSHALL SALVADOR PERRY KIRK SERGIO MARION TRACY SETH KENT TERRANCE
RENE EDUARDO TERRENCE ENRIQUE FREDDIE WADE AUSTIN ETHAN MASON LOGAN ELIJAH CALEB HUNTER LANDON CAMERON CONNOR EVAN
LUKE CHASE GAVIN AIDEN JAYDEN DYLAN DEMETRIUS QUENTIN TREVOR COLTON BRYCE
""")

FEMALE = words("""
MARY PATRICIA LINDA BARBARA ELIZABETH JENNIFER MARIA SUSAN MARGARET DOROTHY LISA NANCY KAREN BETTY HELEN SANDRA
DONNA CAROL RUTH SHARON MICHELLE LAURA SARAH KIMBERLY DEBORAH JESSICA SHIRLEY CYNTHIA ANGELA MELISSA BRENDA AMY ANNA
REBECCA VIRGINIA KATHLEEN PAMELA MARTHA DEBRA AMANDA STEPHANIE CAROLYN CHRISTINE MARIE JANET CATHERINE FRANCES ANN
JOYCE DIANE ALICE JULIE HEATHER TERESA DORIS GLORIA EVELYN JEAN CHERYL MILDRED KATHERINE JOAN ASHLEY JUDITH ROSE
JANICE KELLY NICOLE JUDY CHRISTINA KATHY THERESA BEVERLY DENISE TAMMY IRENE JANE LORI RACHEL MARILYN ANDREA KATHRYN
LOUISE SARA ANNE JACQUELINE WANDA BONNIE JULIA RUBY LOIS TINA PHYLLIS NORMA PAULA DIANA ANNIE LILLIAN EMILY ROBIN
PEGGY CRYSTAL GLADYS RITA DAWN CONNIE FLORENCE TRACY EDNA TIFFANY CARMEN ROSA CINDY GRACE WENDY VICTORIA EDITH KIM
SHERRY SYLVIA JOSEPHINE THELMA SHANNON SHEILA ETHEL ELLEN ELAINE MARJORIE CARRIE CHARLOTTE MONICA ESTHER PAULINE
EMMA JUANITA ANITA RHONDA HAZEL AMBER EVA DEBBIE APRIL LESLIE CLARA LUCILLE JAMIE JOANNE ELEANOR VALERIE DANIELLE
MEGAN ALICIA SUZANNE MICHELE GAIL BERTHA DARLENE VERONICA JILL ERIN GERALDINE LAUREN CATHY JOANN LORRAINE LYNN
SALLY REGINA ERICA BEATRICE DOLORES BERNICE AUDREY YVONNE ANNETTE JUNE SAMANTHA MARION DANA STACY ANA RENEE IDA
VIVIAN ROBERTA HOLLY BRITTANY MELANIE LORETTA YOLANDA JEANETTE LAURIE KATIE KRISTEN VANESSA ALMA SUE ELSIE BETH
JEANNE VICKI CARLA TARA ROSEMARY EILEEN TERRI GERTRUDE LUCY TONYA ELLA STACEY WILMA GINA KRISTIN JESSIE NATALIE
AGNES VERA WILLIE CHARLENE BESSIE DELORES MELINDA PEARL ARLENE MAUREEN COLLEEN ALLISON TAMARA JOY GEORGIA CONSTANCE
LILLIE CLAUDIA JACKIE MARCIA TANYA NELLIE MINNIE MARLENE HEIDI GLENDA LYDIA VIOLA COURTNEY MARIAN STELLA CAROLINE
DORA JO VICKIE MATTIE TERRY MAXINE IRMA MABEL MARSHA MYRTLE LENA CHRISTY DEANNA PATSY HILDA GWENDOLYN JENNIE NORA
MARGIE NINA CASSANDRA LEAH PENNY KAY PRISCILLA NAOMI CAROLE BRANDY OLGA BILLIE DIANNE TRACEY LEONA JENNY FELICIA
SONIA MIRIAM VELMA BECKY BOBBIE VIOLET KRISTINA TONI MISTY MAE SHELLY DAISY RAMONA SHERRI ERIKA KATRINA CLAIRE
MADISON HANNAH OLIVIA ABIGAIL ALEXIS KAYLA TAYLOR MORGAN HALEY CHLOE AVA SOPHIA ISABELLA MIA ADDISON BRIANNA
MACKENZIE KAYLEE PAIGE SYDNEY SAVANNAH ALYSSA JASMINE DESTINY AALIYAH LATOYA LAKISHA SHANIQUA TASHA EBONY
""")

LAST = words("""
SMITH JOHNSON WILLIAMS BROWN JONES DAVIS MILLER MOORE WILSON TAYLOR HARRIS THOMAS JACKSON WHITE MARTIN THOMPSON
ALLEN LEE PARKER WALKER EVANS HILL WOOD ROBINSON EDWARDS BAKER LEWIS YOUNG KING SCOTT MITCHELL HARRISON CLARK HALL
ADAMS NELSON CARTER PHILLIPS CAMPBELL ROBERTS TURNER COLLINS STEWART MORRIS COOK ROGERS MORGAN PETERSON COOPER REED
BAILEY BELL MURPHY RICHARDSON HOWARD WARD COX PRICE JENKINS WATSON BROOKS SANDERS BENNETT BARNES ROSS HENDERSON
COLEMAN POWELL LONG PATTERSON HUGHES FLORES WASHINGTON BUTLER SIMMONS FOSTER GONZALEZ BRYANT ALEXANDER RUSSELL
GRIFFIN HAYES MYERS FORD HAMILTON GRAHAM SULLIVAN WALLACE WOODS COLE WEST JORDAN OWENS REYNOLDS FISHER ELLIS HARRELL
LOCKLEAR OXENDINE HUNT MCDONALD MCLEAN MCNEILL MCKOY GARCIA RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ PEREZ SANCHEZ RAMIREZ
TORRES RIVERA GOMEZ DIAZ CRUZ REYES MORALES ORTIZ GUTIERREZ CHAVEZ RAMOS NGUYEN KIM PATEL HOLT HOLLAND HUFFMAN
HINSON HOPKINS HUDSON HORTON HODGES HUNTER BYRD BLACK BOYD CANNON CASE CHAMBERS DANIELS DAVIDSON DIXON DUNCAN FARMER
FERGUSON FRANKLIN FREEMAN GIBSON GORDON GRANT GRAVES GREEN GREENE HARPER HART HENRY HICKS HOLMES HOWELL JAMES KELLY
KENNEDY KNIGHT LAMBERT LANE LAWSON LITTLE MARSHALL MASON MATTHEWS MAY MCCOY MEDLIN MILLS MONROE MOSS MURRAY NORRIS
OLIVER PAGE PALMER PARRISH PAYNE PEARSON PERRY PIERCE PITTMAN POPE PORTER POTTER PRESSLEY RAY RHODES RICE RILEY ROSE
SAUNDERS SHAW SHEPHERD SIMPSON SPENCER STANLEY STEPHENS STONE SUMMERS SUTTON TATE TUCKER VAUGHN WAGNER WALTERS
WARREN WATKINS WEAVER WEBB WELLS WHEELER WHITLEY WIGGINS WILKINS WILLIS WOMACK WRIGHT YORK BARBOUR BATTLE BEST
BLALOCK BOONE BRASWELL BRITT CAUDILL CHEEK COBLE CREECH DEESE DUNN EASON FAIRCLOTH FAULKNER GODWIN GUPTON HAMMONDS
HARDEE HARDISON HEDRICK HONEYCUTT HOOVER JERNIGAN JOYNER KEARNEY LASSITER LEDFORD LOFTIN MABRY MANGUM MCLAMB NAYLOR
OVERBY PEELE PENNINGTON POOLE PRUITT RATLIFF ROUSE SASSER SHUFORD SPIVEY STRICKLAND TEAGUE TYNDALL UNDERWOOD VANN
WHITAKER WOOTEN YOW CASH CASHWELL BUMGARNER BULLARD BUNN CHILDRESS EDMONDSON ELMORE FOUST GUNTER HAIRSTON HEGE KIRBY
LEONARD LOVE MCINTYRE NEWTON NOBLE O'NEAL SMALL SWAIN TILLMAN BARBEE CRAVEN DAUGHTRY FAISON GRIMES HOLLOMAN INGRAM
JACOBS LANGSTON MCMILLAN NORWOOD OAKLEY PURVIS QUINN REVELS SELLERS TART UPCHURCH VICK WHEDBEE ALSTON BAREFOOT
""")

# The rarer tail of surnames: composed from a first and a second part (ASHWORTH, BRADFIELD, ...).
TAIL_A = words("""
ASH BRAD CALD CRAN DUN ELLS FAIR GAR HAL HOLLINGS KEN LANG MAR NEW PEN RAD SHEL STAN THORN WAL WHIT WINS BLACK
BRIGHT COLE DRAKE FOX GREEN HART LOCK MILL NORTH PARK RUTH SEL STRAT TREM WEST WOOD YARB BURK CHAD DEL
""")
TAIL_B = words("""
ER FORD TON LEY WORTH WOOD FIELD MAN SON BY ING HAM WELL STONE BERG DALE LAND RIDGE BURN MORE WICK ROCK SHAW HOLT
COTT ELL LOW AWAY
""")

MIDDLE_M = words("""
LEE WAYNE RAY EDWARD ALLEN LEWIS JAMES LOUIS JOSEPH MICHAEL DAVID EARL THOMAS WILLIAM ANTHONY DEAN ALAN CHARLES
EUGENE LYNN PAUL SCOTT DALE RAYMOND JOHN ROBERT DANIEL MATTHEW ANDREW GLENN FRANKLIN HOWARD CARL CLAYTON WESLEY
HAROLD ALEXANDER NATHANIEL GRAY BLAKE TYLER CHASE COLE REID LANE WADE DWAYNE KEITH LAMAR DEWAYNE RANDALL
""")
MIDDLE_F = words("""
ANN MARIE LYNN ELIZABETH NICOLE LOUISE JEAN RENEE MICHELLE DIANE KAY SUE GAIL ROSE GRACE JANE MAE FAYE DAWN LEIGH
DENISE ELAINE ANNE CHRISTINE ELLEN FRANCES MARGARET RUTH JOY HOPE KATHERINE LEE IRENE ALICE CAROL NICHOLE LAUREN
VICTORIA OLIVIA BROOKE PAIGE ELOISE DELORES
""")

# Formal name -> nicknames (both directions are used).
NICKNAMES = {
    "ROBERT": ["BOB", "ROB", "BOBBY"], "WILLIAM": ["BILL", "WILL", "BILLY"], "JAMES": ["JIM", "JIMMY", "JAMIE"],
    "JOHN": ["JACK", "JOHNNY"], "RICHARD": ["RICK", "RICKY", "DICK"], "MICHAEL": ["MIKE", "MICKEY"],
    "THOMAS": ["TOM", "TOMMY"], "CHARLES": ["CHARLIE", "CHUCK"], "JOSEPH": ["JOE", "JOEY"], "DANIEL": ["DAN", "DANNY"],
    "DAVID": ["DAVE"], "CHRISTOPHER": ["CHRIS"], "MATTHEW": ["MATT"], "ANTHONY": ["TONY"], "STEVEN": ["STEVE"],
    "STEPHEN": ["STEVE"], "EDWARD": ["ED", "EDDIE", "TED"], "KENNETH": ["KEN", "KENNY"], "TIMOTHY": ["TIM"],
    "GREGORY": ["GREG"], "DONALD": ["DON", "DONNIE"], "RONALD": ["RON", "RONNIE"], "GERALD": ["JERRY"],
    "LAWRENCE": ["LARRY"], "SAMUEL": ["SAM"], "BENJAMIN": ["BEN"], "NICHOLAS": ["NICK"], "JONATHAN": ["JON"],
    "ANDREW": ["ANDY", "DREW"], "PATRICK": ["PAT"], "JEFFREY": ["JEFF"], "ALEXANDER": ["ALEX"], "JOSHUA": ["JOSH"],
    "ZACHARY": ["ZACH"], "NATHANIEL": ["NATE"], "DOUGLAS": ["DOUG"], "RAYMOND": ["RAY"], "FREDERICK": ["FRED"],
    "HAROLD": ["HAL"], "WALTER": ["WALT"], "EUGENE": ["GENE"], "TERRENCE": ["TERRY"], "LEONARD": ["LEN", "LENNY"],
    "PHILIP": ["PHIL"], "PHILLIP": ["PHIL"], "VINCENT": ["VINCE"], "RANDALL": ["RANDY"], "BRADLEY": ["BRAD"],
    "FRANCIS": ["FRANK"], "ALBERT": ["AL"], "ELIZABETH": ["BETH", "LIZ", "BETTY", "LIZZIE"],
    "JENNIFER": ["JENNY", "JEN"], "PATRICIA": ["PAT", "PATTY", "TRISH"], "MARGARET": ["MAGGIE", "PEGGY", "MEG"],
    "KATHERINE": ["KATHY", "KATE", "KATIE"], "CATHERINE": ["CATHY", "KATE"], "DEBORAH": ["DEBBIE", "DEB"],
    "DEBRA": ["DEBBIE"], "SUSAN": ["SUE", "SUSIE"], "REBECCA": ["BECKY"], "CHRISTINE": ["CHRIS", "CHRISTY"],
    "JESSICA": ["JESS"], "KIMBERLY": ["KIM"], "SAMANTHA": ["SAM"], "VICTORIA": ["VICKY", "TORI"],
    "ABIGAIL": ["ABBY"], "PAMELA": ["PAM"], "CYNTHIA": ["CINDY"], "DOROTHY": ["DOT", "DOTTIE"], "JUDITH": ["JUDY"],
    "BARBARA": ["BARB"], "KATHLEEN": ["KATHY"], "THERESA": ["TERRI", "TESS"], "ANGELA": ["ANGIE"],
    "STEPHANIE": ["STEPH"], "JACQUELINE": ["JACKIE"], "MELISSA": ["MISSY"], "SANDRA": ["SANDY"],
    "VIRGINIA": ["GINNY"], "FRANCES": ["FRAN"], "CAROLYN": ["CAROL"], "ALEXANDRA": ["ALEX"], "TERESA": ["TERRI"],
    "MARTHA": ["MARTY"], "ELEANOR": ["ELLIE"], "JOSEPHINE": ["JOSIE"], "NANCY": ["NAN"],
}
FORMAL_OF = {}
for formal, nicks in NICKNAMES.items():
    for n in nicks:
        FORMAL_OF.setdefault(n, []).append(formal)

# Twins with alike first names: (first, sex, second, sex).
ALIKE_TWINS = [
    ("JON", "M", "JOAN", "F"), ("ERIC", "M", "ERICA", "F"), ("DANIEL", "M", "DANIELLE", "F"),
    ("BRIAN", "M", "BRIANNA", "F"), ("MICHAEL", "M", "MICHELLE", "F"), ("PAUL", "M", "PAULA", "F"),
    ("ROBERT", "M", "ROBERTA", "F"), ("FRANCIS", "M", "FRANCES", "F"), ("JESSE", "M", "JESSIE", "F"),
    ("GABRIEL", "M", "GABRIELLA", "F"), ("JULIAN", "M", "JULIANA", "F"), ("ADRIAN", "M", "ADRIANA", "F"),
    ("CHRISTIAN", "M", "CHRISTINA", "F"), ("DENNIS", "M", "DENISE", "F"), ("CARL", "M", "CARLA", "F"),
    ("DEAN", "M", "DEANNA", "F"), ("TONY", "M", "TONI", "F"), ("AIDEN", "M", "AIDAN", "M"),
    ("JAYDEN", "M", "JADEN", "M"), ("BRANDON", "M", "BRANDEN", "M"), ("CAMERON", "M", "CAMDEN", "M"),
    ("LANDON", "M", "LOGAN", "M"), ("KAYLA", "F", "KAYLEE", "F"), ("ASHLEY", "F", "ASHLYN", "F"),
    ("MADISON", "F", "MADELYN", "F"), ("HAILEY", "F", "HALEY", "F"), ("ELLA", "F", "ELLIE", "F"),
    ("ANNA", "F", "ANNIE", "F"), ("ERIN", "F", "ERICA", "F"), ("MARY", "F", "MARIE", "F"),
]

STREETS = words("""
MAIN_ST OAK_ST ELM_ST PINE_ST MAPLE_AVE CEDAR_LN WALNUT_ST CHURCH_ST MILL_RD SPRING_ST RIDGE_RD LAKE_DR
HILLCREST_DR FOREST_DR SUNSET_DR PARK_AVE COLLEGE_ST MARKET_ST WASHINGTON_ST JEFFERSON_ST FRANKLIN_ST MADISON_AVE
JACKSON_ST LINCOLN_ST POPLAR_ST DOGWOOD_DR MAGNOLIA_DR HOLLY_LN WILLOW_ST BIRCH_LN HICKORY_ST CHESTNUT_ST
SYCAMORE_ST LAUREL_DR AZALEA_DR CAMELLIA_LN LONGLEAF_PINE_CIR PIEDMONT_AVE BLUE_RIDGE_RD CAROLINA_AVE
CAPE_FEAR_BLVD NEUSE_RIVER_RD YADKIN_RD CATAWBA_ST HAW_RIVER_RD TRYON_RD GLENWOOD_AVE HILLSBOROUGH_ST
FAYETTEVILLE_ST SIX_FORKS_RD CREEDMOOR_RD LEESVILLE_RD CHAPEL_HILL_RD OLD_STAGE_RD RALEIGH_RD GREENSBORO_RD
CHARLOTTE_HWY WILMINGTON_ST BROAD_ST HIGH_ST UNION_ST ACADEMY_ST LIBERTY_ST PLEASANT_ST CENTER_ST
NORTH_HILLS_DR SOUTHERN_PINES_DR EASTWOOD_DR WESTWOOD_DR BRIARCLIFF_RD FOXCROFT_LN KINGS_GRANT_CT QUAIL_HOLLOW_DR
DEER_RUN_TRL FOX_RUN_DR TURKEY_CREEK_RD BEAR_CREEK_RD CROOKED_CREEK_RD STONEY_CREEK_RD ROCKY_RIVER_RD
MEADOW_LN MEADOWBROOK_DR BROOKSIDE_DR RIVERSIDE_DR LAKESHORE_DR LAKEVIEW_CT HARBOR_DR SOUND_VIEW_DR MARSH_LN
BEACH_RD OCEAN_BLVD PELICAN_DR HERON_CT OSPREY_LN CARDINAL_DR BLUEBIRD_LN MOCKINGBIRD_LN WREN_CT ROBIN_RD
PEACHTREE_ST APPLE_ORCHARD_LN CHERRY_LN PECAN_DR TOBACCO_RD COTTON_GIN_RD FARM_POND_RD BARN_SWALLOW_CT
OLD_FARM_RD COUNTRY_CLUB_DR GOLF_COURSE_DR FAIRWAY_DR VALLEY_RD MOUNTAIN_VIEW_DR SUMMIT_AVE HIGHLAND_AVE
GROVE_ST ASHLEY_CT BRITTANY_PL CAMDEN_WAY DORCHESTER_PL ESSEX_CT GLOUCESTER_WAY HAMPTON_CT KENSINGTON_PL
LEXINGTON_AVE MONTGOMERY_ST NEWPORT_CT OXFORD_RD PRINCETON_AVE RUTHERFORD_ST SALEM_ST TRENTON_RD VICTORIA_CT
WINDSOR_CIR YORKSHIRE_DR BEAUFORT_ST CRAVEN_ST DUPLIN_RD HALIFAX_RD MOORE_ST PITT_ST STOKES_AVE WAYNE_AVE
N_MAIN_ST S_MAIN_ST E_FRANKLIN_ST W_MARKET_ST N_CHURCH_ST S_BOUNDARY_ST W_TRADE_ST E_BOULEVARD
MARTIN_LUTHER_KING_JR_BLVD US_HWY_70 NC_HWY_54 US_HWY_401 NC_HWY_87 PARKWAY_PLAZA_BLVD COMMERCE_PKWY
INDUSTRIAL_DR SCHOOL_ST DEPOT_ST RAILROAD_ST
""")
STREETS = [s.replace("_", " ") for s in STREETS]

# City, population (thousands; the weight), ZIP codes.
CITIES = [
    ("CHARLOTTE", 880, ["28205", "28210", "28277"]), ("RALEIGH", 470, ["27603", "27609", "27615"]),
    ("GREENSBORO", 300, ["27405", "27407", "27410"]), ("DURHAM", 285, ["27701", "27705", "27713"]),
    ("WINSTON SALEM", 250, ["27101", "27103", "27106"]), ("FAYETTEVILLE", 210, ["28301", "28303", "28314"]),
    ("CARY", 175, ["27511", "27513", "27519"]), ("WILMINGTON", 120, ["28401", "28403", "28405"]),
    ("HIGH POINT", 115, ["27260", "27262", "27265"]), ("CONCORD", 105, ["28025", "28027"]),
    ("ASHEVILLE", 95, ["28801", "28803", "28806"]), ("GREENVILLE", 90, ["27834", "27858"]),
    ("GASTONIA", 80, ["28052", "28054", "28056"]), ("JACKSONVILLE", 72, ["28540", "28546"]),
    ("APEX", 60, ["27502", "27523", "27539"]), ("HUNTERSVILLE", 60, ["28078"]),
    ("CHAPEL HILL", 60, ["27514", "27516", "27517"]), ("BURLINGTON", 57, ["27215", "27217"]),
    ("ROCKY MOUNT", 54, ["27803", "27804"]), ("KANNAPOLIS", 53, ["28081", "28083"]),
    ("WAKE FOREST", 48, ["27587"]), ("MOORESVILLE", 50, ["28115", "28117"]), ("WILSON", 47, ["27893", "27896"]),
    ("HOLLY SPRINGS", 41, ["27540"]), ("INDIAN TRAIL", 40, ["28079"]), ("SALISBURY", 35, ["28144", "28146", "28147"]),
    ("MONROE", 35, ["28110", "28112"]), ("GOLDSBORO", 33, ["27530", "27534"]), ("CORNELIUS", 31, ["28031"]),
    ("GARNER", 31, ["27529"]), ("MATTHEWS", 29, ["28104", "28105"]), ("SANFORD", 30, ["27330", "27332"]),
    ("NEW BERN", 31, ["28560", "28562"]), ("HICKORY", 43, ["28601", "28602"]), ("FUQUAY VARINA", 34, ["27526"]),
    ("STATESVILLE", 28, ["28625", "28677"]), ("ASHEBORO", 27, ["27203", "27205"]), ("KERNERSVILLE", 26, ["27284"]),
    ("MORRISVILLE", 29, ["27560"]), ("BOONE", 19, ["28607"]), ("SHELBY", 22, ["28150", "28152"]),
    ("LUMBERTON", 20, ["28358", "28360"]), ("CLAYTON", 26, ["27520", "27527"]), ("PEMBROKE", 3, ["28372"]),
    ("ELIZABETH CITY", 18, ["27909"]),
]

AREA_CODES = {"CHARLOTTE": "704", "RALEIGH": "919", "DURHAM": "919", "CARY": "919", "GREENSBORO": "336",
              "WINSTON SALEM": "336", "HIGH POINT": "336", "ASHEVILLE": "828", "BOONE": "828", "HICKORY": "828",
              "WILMINGTON": "910", "FAYETTEVILLE": "910", "JACKSONVILLE": "910", "GREENVILLE": "252",
              "ROCKY MOUNT": "252", "WILSON": "252", "NEW BERN": "252", "ELIZABETH CITY": "252"}

KEY_ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]


def key_neighbours():
    pos = {c: (r, i) for r, row in enumerate(KEY_ROWS) for i, c in enumerate(row)}
    out = {}
    for c, (r, i) in pos.items():
        near = []
        for dr, di in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
            rr, ii = r + dr, i + di
            if 0 <= rr < len(KEY_ROWS) and 0 <= ii < len(KEY_ROWS[rr]):
                near.append(KEY_ROWS[rr][ii])
        # Letters stay letters and digits digits (a slip to the digit row in a name is rare).
        out[c] = [n for n in near if n.isdigit() == c.isdigit()] or near
    return out


NEAR = key_neighbours()


def zipf_weights(n, offset, s=1.0):
    return [1.0 / (r + offset) ** s for r in range(1, n + 1)]


class Gen:
    def __init__(self, seed, people):
        self.rng = random.Random(seed)
        self.n = people
        self.w_male = zipf_weights(len(MALE), 8)
        self.w_female = zipf_weights(len(FEMALE), 8)
        self.w_last = zipf_weights(len(LAST), 15)
        self.w_mid_m = zipf_weights(len(MIDDLE_M), 3)
        self.w_mid_f = zipf_weights(len(MIDDLE_F), 3)
        self.city_w = [c[1] ** 0.75 for c in CITIES]  # flatter than population: small towns stand for the rural rest
        # Each city has its own share of the street names.
        self.city_streets = {c[0]: self.rng.sample(STREETS, self.rng.randint(45, 90)) for c in CITIES}
        self.ages = list(range(18, 96))
        self.age_w = [0.8 if a < 25 else 1.0 if a < 65 else 1.0 - 0.9 * (a - 65) / 30 for a in self.ages]
        self.used_reg = set()
        self.used_phone = set()

    # -- values ----------------------------------------------------------------------------------------------------
    def pick(self, items, weights):
        return self.rng.choices(items, weights)[0]

    def first(self, sex):
        return self.pick(MALE, self.w_male) if sex == "M" else self.pick(FEMALE, self.w_female)

    def last(self):
        if self.rng.random() < 0.70:
            return self.pick(LAST, self.w_last)
        return self.rng.choice(TAIL_A) + self.rng.choice(TAIL_B)

    def middle_full(self, sex):
        if self.rng.random() < 0.30:
            return self.first(sex)
        return self.pick(MIDDLE_M, self.w_mid_m) if sex == "M" else self.pick(MIDDLE_F, self.w_mid_f)

    def middle(self, sex, first):
        r = self.rng.random()
        if r < 0.15:
            return ""
        for _ in range(5):
            m = self.middle_full(sex)
            if m != first:
                break
        return m[0] if r < 0.27 else m

    def age(self, lo=18, hi=95):
        ages = [a for a in self.ages if lo <= a <= hi]
        return self.rng.choices(ages, [self.age_w[a - 18] for a in ages])[0]

    def city(self):
        return self.rng.choices(CITIES, self.city_w)[0]

    def address(self, city=None):
        c = city or self.city()
        digits = self.rng.choices([1, 2, 3, 4, 5], [0.02, 0.08, 0.40, 0.42, 0.08])[0]
        num = str(self.rng.randint(10 ** (digits - 1) if digits > 1 else 1, 10 ** digits - 1))
        street = f"{num} {self.rng.choice(self.city_streets[c[0]])}"
        if self.rng.random() < 0.12:
            unit = self.rng.choice([str(self.rng.randint(1, 40)), f"{self.rng.randint(1, 4)}{self.rng.choice('ABCD')}",
                                    str(self.rng.randint(100, 450))])
            street += f" {self.rng.choice(['APT', 'APT', 'APT', 'UNIT', 'LOT'])} {unit}"
        return {"street": street, "city": c[0], "zip": self.rng.choice(c[2])}

    def phone(self, city):
        while True:
            area = AREA_CODES.get(city) or self.rng.choice(["704", "980", "919", "984", "336", "910", "828", "252"])
            if self.rng.random() < 0.25:  # mobile numbers from anywhere in the state
                area = self.rng.choice(["704", "980", "919", "984", "336", "743", "910", "828", "252"])
            p = f"{area}{self.rng.randint(200, 999)}{self.rng.randint(0, 9999):04d}"
            if p not in self.used_phone:
                self.used_phone.add(p)
                return p

    def regnum(self):
        while True:
            r = f"{self.rng.randint(10000, 999999999):012d}"
            if r not in self.used_reg:
                self.used_reg.add(r)
                return r

    def typo(self, s, digits=False):
        """One keyboard slip in s: adjacent-key substitution, deletion, insertion or transposition."""
        rng = self.rng
        idx = [i for i, c in enumerate(s) if c.isalpha() or (digits and c.isdigit())]
        if len(idx) < 2:
            return s
        for _ in range(20):
            i = rng.choice(idx[1:]) if rng.random() < 0.9 else idx[0]
            op = rng.choice(["sub", "del", "ins", "trans"])
            c = s[i]
            if op == "sub":
                t = s[:i] + rng.choice(NEAR.get(c, [c])) + s[i + 1:]
            elif op == "del":
                if len(idx) < 3:
                    continue
                t = s[:i] + s[i + 1:]
            elif op == "ins":
                t = s[:i + 1] + rng.choice(NEAR.get(c, [c]) + [c]) + s[i + 1:]
            else:
                if i + 1 >= len(s) or not s[i + 1].isalnum() or s[i + 1] == c:
                    continue
                t = s[:i] + s[i + 1] + c + s[i + 2:]
            if t != s:
                return t
        return s

    @staticmethod
    def related(a, b):
        forms = lambda n: {n} | set(NICKNAMES.get(n, [])) | set(FORMAL_OF.get(n, []))
        return bool(forms(a) & forms(b))

    # -- people ----------------------------------------------------------------------------------------------------
    def person(self, sex=None, age=None, first=None, last=None, addr=None, **kw):
        sex = sex or ("F" if self.rng.random() < 0.53 else "M")
        first = first or self.first(sex)
        p = {
            "sex": sex, "first": first, "middle": self.middle(sex, first), "last": last or self.last(),
            "suffix": "", "age": age if age is not None else self.age(), "addr": addr or self.address(),
            "phone": "", "marks": [],
        }
        if p["sex"] == "M" and p["age"] >= 25 and self.rng.random() < 0.055:
            p["suffix"] = self.rng.choices(["JR", "SR", "II", "III", "IV"], [0.55, 0.15, 0.15, 0.12, 0.03])[0]
        # Some register under the short form of their name (BILLY, PEGGY).
        if first in NICKNAMES and self.rng.random() < 0.04:
            p["first"] = self.rng.choice(NICKNAMES[first])
        if self.rng.random() < 0.40:
            p["phone"] = self.phone(p["addr"]["city"])
        p.update(kw)
        return p

    def build(self):
        rng = self.rng
        scale = self.n / 15000
        n_fs, n_tw, n_ns = round(400 * scale), round(300 * scale), round(340 * scale)
        people, households = [], []  # households: lists of indices into people, moving together

        def add(*ps):
            ids = []
            for p in ps:
                p["id"] = "P%06d" % (len(people) + 1)
                people.append(p)
                ids.append(len(people) - 1)
            households.append(ids)
            return ids

        def mark(a, b, kind):
            people[a]["marks"].append(f"{kind}:{people[b]['id']}")
            people[b]["marks"].append(f"{kind}:{people[a]['id']}")

        def share_phone(a, b, p):
            if people[a]["phone"] and people[b]["phone"] and rng.random() < p:
                people[b]["phone"] = people[a]["phone"]

        for _ in range(n_fs):
            son_age = self.age(18, 60) if rng.random() < 0.35 else self.age(18, 35)
            father_age = son_age + rng.randint(20, 35)
            if father_age > 95:
                father_age = 95
            first, last, addr = self.first("M"), self.last(), self.address()
            father = self.person("M", father_age, first, last, addr)
            son = self.person("M", son_age, first, last, addr)
            father["first"] = son["first"] = first  # no nickname on one of them
            if rng.random() < 0.5:
                father["suffix"], son["suffix"] = "SR", "JR"
                if rng.random() < 0.4:
                    son["middle"] = father["middle"]
            else:
                father["suffix"] = son["suffix"] = ""
                if rng.random() < 0.1:
                    son["middle"] = father["middle"]
            a, b = add(father, son)
            mark(a, b, "father_son")
            share_phone(a, b, 0.3)
        for _ in range(n_tw):
            age = self.age(18, 30) if rng.random() < 0.7 else self.age(31, 75)
            last, addr = self.last(), self.address()
            if rng.random() < 0.2:
                f1, s1, f2, s2 = rng.choice(ALIKE_TWINS)
            else:
                s1, s2 = rng.choice([("M", "M"), ("F", "F"), ("M", "F")])
                f1 = self.first(s1)
                f2 = self.first(s2)
                while f2 == f1 or self.related(f1, f2):  # no LAWRENCE and LARRY, nor two forms of one name
                    f2 = self.first(s2)
            t1 = self.person(s1, age, f1, last, addr, suffix="")
            t2 = self.person(s2, age, f2, last, addr, suffix="")
            t1["first"], t2["first"] = f1, f2
            a, b = add(t1, t2)
            mark(a, b, "twin")
            share_phone(a, b, 0.3)
        for _ in range(n_ns):
            sex = "M" if rng.random() < 0.47 else "F"
            first, last, city = self.first(sex), self.last(), self.city()
            a1 = self.age()
            a2 = self.age()
            while abs(a2 - a1) < 2:
                a2 = self.age()
            p1 = self.person(sex, a1, first, last, self.address(city))
            p2 = self.person(sex, a2, first, last, self.address(city))
            p1["first"] = p2["first"] = first
            (a,), (b,) = add(p1), add(p2)
            mark(a, b, "namesake")
        rest = self.n - len(people)
        n_couples = int(rest * 0.30 / 2)
        for _ in range(n_couples):
            age_m = self.age(20, 95)
            age_f = max(18, min(95, age_m + round(rng.gauss(-2, 4))))
            last, addr = self.last(), self.address()
            m = self.person("M", age_m, last=last, addr=addr)
            f = self.person("F", age_f, last=last if rng.random() < 0.85 else None, addr=addr)
            if f["last"] != last and rng.random() < 0.3:
                f["last"] = f"{f['last']}-{last}"
            a, b = add(m, f)
            mark(a, b, "spouse")
            share_phone(a, b, 0.5)
        while len(people) < self.n:
            add(self.person())
        return people, households

    # -- snapshots -------------------------------------------------------------------------------------------------
    def generate(self):
        rng = self.rng
        people, households = self.build()
        gap = rng.randint(1, 3)
        rows = []  # (values, truth)

        def shown_age(a):
            return "" if rng.random() < 0.02 else str(a)

        def shown_gender(s):
            return "U" if rng.random() < 0.02 else s

        s1 = {}
        for p in people:
            p["reg"] = self.regnum()
            v = {"voter_reg_num": p["reg"], "first_name": p["first"], "middle_name": p["middle"],
                 "last_name": p["last"], "name_suffix": p["suffix"], "age": shown_age(p["age"]),
                 "gender": shown_gender(p["sex"]), "res_street_address": p["addr"]["street"],
                 "res_city": p["addr"]["city"], "zip_code": p["addr"]["zip"], "phone": p["phone"]}
            s1[p["id"]] = v
            rows.append((v, {"voter_reg_num": p["reg"], "person_id": p["id"], "snapshot": "1",
                             "classes": ";".join(p["marks"])}))

        for hh in households:
            hh_moves = rng.random() < 0.30
            hh_city = rng.random() < 0.5
            hh_new = None
            for i in hh:
                p = people[i]
                if rng.random() >= (0.40 if p["age"] >= 80 else 0.56):
                    continue
                cls = []
                old = s1[p["id"]]
                v = dict(old)
                v["gender"] = shown_gender(p["sex"])
                if v["gender"] != old["gender"]:
                    cls.append("gender_changed")
                # age
                a = p["age"] + gap
                if rng.random() < 0.03:
                    a += rng.choice([-1, 1])
                    cls.append("age_off")
                if rng.random() < 0.02:
                    v["age"] = ""
                    cls.append("age_missing")
                else:
                    v["age"] = str(a)
                # address
                moves, city_move = (hh_moves, hh_city) if rng.random() < 0.85 else (rng.random() < 0.30,
                                                                                     rng.random() < 0.5)
                if moves:
                    if moves == hh_moves and city_move == hh_city and hh_new is not None and rng.random() < 0.9:
                        addr = hh_new
                    else:
                        if city_move:
                            c = self.city()
                            while c[0] == p["addr"]["city"]:
                                c = self.city()
                        else:
                            c = next(c for c in CITIES if c[0] == p["addr"]["city"])
                        addr = self.address(c)
                        if moves == hh_moves and city_move == hh_city:
                            hh_new = addr
                    v["res_street_address"], v["res_city"], v["zip_code"] = addr["street"], addr["city"], addr["zip"]
                    cls.append("moved")
                    if addr["city"] != old["res_city"]:
                        cls.append("moved_city")
                # registration number
                p_new = 0.90 if "moved_city" in cls else 0.70 if moves else 0.55
                if rng.random() < p_new:
                    v["voter_reg_num"] = self.regnum()
                    cls.append("new_regnum")
                # last name (marriage)
                if p["sex"] == "F" and 20 <= p["age"] <= 45 and rng.random() < 0.12:
                    new = self.last()
                    while new == p["last"]:
                        new = self.last()
                    cls.append("new_last")
                    if rng.random() < 0.2 and "-" not in p["last"]:
                        new = f"{p['last']}-{new}"
                        cls.append("new_last_hyphen")
                    elif rng.random() < 0.25:
                        v["middle_name"] = p["last"]
                        cls.append("maiden_middle")
                    v["last_name"] = new
                # middle name
                m = v["middle_name"]
                if "maiden_middle" not in cls:
                    r = rng.random()
                    if len(m) > 1:
                        if r < 0.10:
                            v["middle_name"] = ""
                            cls.append("middle_dropped")
                        elif r < 0.20:
                            v["middle_name"] = m[0]
                            cls.append("middle_initial")
                    elif len(m) == 1:
                        if r < 0.40:
                            full = self.middle_full(p["sex"])
                            tries = 0
                            while full[0] != m and tries < 200:
                                full = self.middle_full(p["sex"])
                                tries += 1
                            if full[0] == m:
                                v["middle_name"] = full
                                cls.append("middle_expanded")
                        elif r < 0.50:
                            v["middle_name"] = ""
                            cls.append("middle_dropped")
                    elif r < 0.10:
                        v["middle_name"] = self.middle_full(p["sex"])
                        cls.append("middle_added")
                # suffix
                if v["name_suffix"]:
                    if rng.random() < 0.35:
                        v["name_suffix"] = ""
                        cls.append("suffix_dropped")
                elif p["sex"] == "M" and rng.random() < 0.025:
                    v["name_suffix"] = rng.choice(["JR", "JR", "II", "III"])
                    cls.append("suffix_added")
                # nickname
                f = v["first_name"]
                if (f in NICKNAMES or f in FORMAL_OF) and rng.random() < 0.14:
                    v["first_name"] = rng.choice(NICKNAMES[f]) if f in NICKNAMES else rng.choice(FORMAL_OF[f])
                    cls.append("nickname")
                # typos
                if rng.random() < 0.03:
                    v["first_name"] = self.typo(v["first_name"])
                    cls.append("typo_first")
                if rng.random() < 0.03:
                    v["last_name"] = self.typo(v["last_name"])
                    cls.append("typo_last")
                if len(v["middle_name"]) > 1 and rng.random() < 0.02:
                    v["middle_name"] = self.typo(v["middle_name"])
                    cls.append("typo_middle")
                if rng.random() < 0.03:
                    st = v["res_street_address"]
                    num, _, rest = st.partition(" ")
                    if rng.random() < 0.25 and len(num) > 1:
                        t = self.typo(num, digits=True)
                        v["res_street_address"] = f"{t} {rest}"
                    else:
                        v["res_street_address"] = f"{num} {self.typo(rest)}"
                    if v["res_street_address"] != st:
                        cls.append("typo_street")
                # phone
                if old["phone"]:
                    if rng.random() < 0.20:
                        v["phone"] = ""
                        cls.append("phone_dropped")
                    elif rng.random() < 0.30:
                        v["phone"] = self.phone(v["res_city"])
                        cls.append("phone_changed")
                elif rng.random() < 0.13:
                    v["phone"] = self.phone(v["res_city"])
                    cls.append("phone_added")
                rows.append((v, {"voter_reg_num": v["voter_reg_num"], "person_id": p["id"], "snapshot": "2",
                                 "classes": ";".join(cls)}))
        rng.shuffle(rows)
        return rows, gap


COLUMNS = ["voter_reg_num", "first_name", "middle_name", "last_name", "name_suffix", "age", "gender",
           "res_street_address", "res_city", "zip_code", "phone"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory for voters.csv and truth.csv")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--people", type=int, default=15000)
    a = ap.parse_args()
    if a.people < 1000:
        ap.error("--people must be at least 1000")
    os.makedirs(a.out, exist_ok=True)
    g = Gen(a.seed, a.people)
    rows, gap = g.generate()
    with open(os.path.join(a.out, "voters.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        for v, _ in rows:
            w.writerow(v)
    with open(os.path.join(a.out, "truth.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, ["voter_reg_num", "person_id", "snapshot", "classes"], lineterminator="\n")
        w.writeheader()
        for _, t in rows:
            w.writerow(t)
    s2 = [t for _, t in rows if t["snapshot"] == "2"]
    counts = Counter(c.split(":")[0] for _, t in rows for c in t["classes"].split(";") if c)
    print(f"gen.py: seed {a.seed}, {a.people} people, gap {gap} years: {len(rows)} rows "
          f"({len(rows) - len(s2)} in snapshot 1, {len(s2)} in snapshot 2) -> {a.out}", file=sys.stderr)
    print("  classes (snapshot-2 rows, % of them): " + ", ".join(
        f"{k} {v} ({100 * v / len(s2):.1f}%)" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
        if k not in ("father_son", "twin", "namesake", "spouse")), file=sys.stderr)
    print("  hard-negative rows (snapshot 1): " + ", ".join(
        f"{k} {counts[k]}" for k in ("father_son", "twin", "namesake", "spouse")), file=sys.stderr)


if __name__ == "__main__":
    main()
