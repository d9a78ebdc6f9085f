#!/usr/bin/env python3
"""Generate a multi-script lead list with ~20% duplicates and a truth file.

The repository's fifth generator, written by a helper trying crmgate as a new user with international lists
(2026-12-07): Russian, Greek, Japanese, Chinese, Arabic, Hebrew, Polish, Vietnamese and Turkish people, each
duplicate with one error of its own script (a typo, a dropped, doubled or swapped letter, a transliteration, kana
for kanji, traditional for simplified characters, full-width or Arabic-Indic digits, names in the other order).
Scored by score.py; run by scripts/bench-intl.sh and Tests/CRMImportTests/IntlGeneratorTests.swift.

usage: gen_intl.py OUT.csv TRUTH.csv [--people N] [--seed S] [--country-lang native|english]
Truth columns: row (1-based data row), person, script, role (orig|dup), error,
email_shared (dup shares the original's e-mail), phone_kept.
"""
import csv, random, sys, unicodedata, argparse

# ---------------------------------------------------------------- name data
RU_M = [("Иван","Ivan"),("Алексей","Aleksey"),("Дмитрий","Dmitriy"),("Сергей","Sergey"),("Андрей","Andrey"),
        ("Михаил","Mikhail"),("Николай","Nikolay"),("Павел","Pavel"),("Владимир","Vladimir"),("Евгений","Evgeniy"),
        ("Юрий","Yuriy"),("Олег","Oleg"),("Константин","Konstantin"),("Артём","Artyom"),("Максим","Maksim"),
        ("Григорий","Grigoriy"),("Борис","Boris"),("Виктор","Viktor"),("Роман","Roman"),("Тимур","Timur")]
RU_F = [("Анна","Anna"),("Мария","Mariya"),("Елена","Elena"),("Ольга","Olga"),("Наталья","Natalya"),
        ("Татьяна","Tatyana"),("Ирина","Irina"),("Екатерина","Ekaterina"),("Светлана","Svetlana"),("Юлия","Yuliya"),
        ("Анастасия","Anastasiya"),("Дарья","Darya"),("Ксения","Kseniya"),("Людмила","Lyudmila"),("Вера","Vera")]
RU_L = ["Петров","Иванов","Смирнов","Кузнецов","Попов","Васильев","Соколов","Михайлов","Новиков","Фёдоров",
        "Морозов","Волков","Алексеев","Лебедев","Семёнов","Егоров","Павлов","Козлов","Степанов","Николаев",
        "Орлов","Андреев","Макаров","Никитин","Захаров","Зайцев","Соловьёв","Борисов","Яковлев","Григорьев",
        "Романов","Воробьёв","Сергеев","Кудрявцев","Белоусов","Тихонов","Ковалёв","Медведев","Жуков","Щербаков"]
RU_TR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a","b","v","g","d","e","e","zh","z","i","y","k","l","m","n","o","p","r","s","t","u","f","kh","ts","ch","sh",
     "shch","","y","","e","yu","ya"]))
def ru_tr(s):
    out = ""
    for ch in s:
        t = RU_TR.get(ch.lower(), ch)
        out += t.capitalize() if ch.isupper() else t
    return out

EL_M = [("Γιώργος","Giorgos"),("Δημήτρης","Dimitris"),("Κώστας","Kostas"),("Νίκος","Nikos"),("Γιάννης","Giannis"),
        ("Παναγιώτης","Panagiotis"),("Βασίλης","Vasilis"),("Χρήστος","Christos"),("Αθανάσιος","Athanasios"),
        ("Μιχάλης","Michalis"),("Σπύρος","Spyros"),("Ευάγγελος","Evangelos"),("Αντώνης","Antonis"),("Στέφανος","Stefanos")]
EL_F = [("Μαρία","Maria"),("Ελένη","Eleni"),("Αικατερίνη","Aikaterini"),("Βασιλική","Vasiliki"),("Σοφία","Sofia"),
        ("Αγγελική","Angeliki"),("Γεωργία","Georgia"),("Δέσποινα","Despoina"),("Ευαγγελία","Evangelia"),
        ("Χριστίνα","Christina"),("Ιωάννα","Ioanna"),("Παρασκευή","Paraskevi")]
# (male, female, latin male, latin female)
EL_L = [("Παπαδόπουλος","Παπαδοπούλου","Papadopoulos","Papadopoulou"),("Παπαδάκης","Παπαδάκη","Papadakis","Papadaki"),
        ("Γεωργίου","Γεωργίου","Georgiou","Georgiou"),("Οικονόμου","Οικονόμου","Oikonomou","Oikonomou"),
        ("Βασιλείου","Βασιλείου","Vasileiou","Vasileiou"),("Νικολάου","Νικολάου","Nikolaou","Nikolaou"),
        ("Καραγιάννης","Καραγιάννη","Karagiannis","Karagianni"),("Μαυρίδης","Μαυρίδου","Mavridis","Mavridou"),
        ("Αντωνίου","Αντωνίου","Antoniou","Antoniou"),("Δημητρίου","Δημητρίου","Dimitriou","Dimitriou"),
        ("Ιωάννου","Ιωάννου","Ioannou","Ioannou"),("Κωνσταντίνου","Κωνσταντίνου","Konstantinou","Konstantinou"),
        ("Παπανικολάου","Παπανικολάου","Papanikolaou","Papanikolaou"),("Αλεξίου","Αλεξίου","Alexiou","Alexiou"),
        ("Μακρής","Μακρή","Makris","Makri"),("Χατζής","Χατζή","Chatzis","Chatzi"),
        ("Σταματόπουλος","Σταματοπούλου","Stamatopoulos","Stamatopoulou"),("Πετρόπουλος","Πετροπούλου","Petropoulos","Petropoulou"),
        ("Αθανασίου","Αθανασίου","Athanasiou","Athanasiou"),("Λαμπρόπουλος","Λαμπροπούλου","Lampropoulos","Lampropoulou"),
        ("Κυριακίδης","Κυριακίδου","Kyriakidis","Kyriakidou"),("Ζαχαρίου","Ζαχαρίου","Zachariou","Zachariou"),
        ("Τσακίρης","Τσακίρη","Tsakiris","Tsakiri"),("Αναστασίου","Αναστασίου","Anastasiou","Anastasiou"),
        ("Σαββίδης","Σαββίδου","Savvidis","Savvidou"),("Πολυχρόνης","Πολυχρόνη","Polychronis","Polychroni")]

# Japanese: (kanji, katakana, romaji)
JA_L = [("佐藤","サトウ","Sato"),("鈴木","スズキ","Suzuki"),("高橋","タカハシ","Takahashi"),("田中","タナカ","Tanaka"),
        ("伊藤","イトウ","Ito"),("渡辺","ワタナベ","Watanabe"),("山本","ヤマモト","Yamamoto"),("中村","ナカムラ","Nakamura"),
        ("小林","コバヤシ","Kobayashi"),("加藤","カトウ","Kato"),("吉田","ヨシダ","Yoshida"),("山田","ヤマダ","Yamada"),
        ("佐々木","ササキ","Sasaki"),("山口","ヤマグチ","Yamaguchi"),("松本","マツモト","Matsumoto"),("井上","イノウエ","Inoue"),
        ("木村","キムラ","Kimura"),("林","ハヤシ","Hayashi"),("斎藤","サイトウ","Saito"),("清水","シミズ","Shimizu"),
        ("山崎","ヤマザキ","Yamazaki"),("森","モリ","Mori"),("池田","イケダ","Ikeda"),("橋本","ハシモト","Hashimoto"),
        ("阿部","アベ","Abe"),("石川","イシカワ","Ishikawa"),("前田","マエダ","Maeda"),("藤田","フジタ","Fujita"),
        ("長谷川","ハセガワ","Hasegawa"),("島田","シマダ","Shimada"),("広瀬","ヒロセ","Hirose"),("沢田","サワダ","Sawada")]
JA_G = [("太郎","タロウ","Taro"),("健太","ケンタ","Kenta"),("翔太","ショウタ","Shota"),("大輔","ダイスケ","Daisuke"),
        ("拓也","タクヤ","Takuya"),("直樹","ナオキ","Naoki"),("浩","ヒロシ","Hiroshi"),("誠","マコト","Makoto"),
        ("隆","タカシ","Takashi"),("健一","ケンイチ","Kenichi"),("和也","カズヤ","Kazuya"),("達也","タツヤ","Tatsuya"),
        ("陽子","ヨウコ","Yoko"),("恵子","ケイコ","Keiko"),("由美","ユミ","Yumi"),("美咲","ミサキ","Misaki"),
        ("愛","アイ","Ai"),("さくら","サクラ","Sakura"),("花子","ハナコ","Hanako"),("真由美","マユミ","Mayumi"),
        ("裕子","ユウコ","Yuko"),("明美","アケミ","Akemi"),("久美子","クミコ","Kumiko"),("ゆかり","ユカリ","Yukari"),
        ("智子","トモコ","Tomoko"),("大翔","ヒロト","Hiroto"),("蓮","レン","Ren"),("結衣","ユイ","Yui")]
JA_VARIANT = {"斎": "齋", "辺": "邊", "高": "髙", "崎": "﨑", "沢": "澤", "島": "嶋", "広": "廣", "藤": "籐", "谷": "谷"}

# Chinese: (hanzi, pinyin)
ZH_L = [("王","Wang"),("李","Li"),("张","Zhang"),("刘","Liu"),("陈","Chen"),("杨","Yang"),("黄","Huang"),("赵","Zhao"),
        ("吴","Wu"),("周","Zhou"),("徐","Xu"),("孙","Sun"),("马","Ma"),("朱","Zhu"),("胡","Hu"),("郭","Guo"),("何","He"),
        ("高","Gao"),("林","Lin"),("罗","Luo"),("郑","Zheng"),("梁","Liang"),("欧阳","Ouyang"),("司马","Sima"),("诸葛","Zhuge")]
ZH_G = [("伟","Wei"),("芳","Fang"),("娜","Na"),("秀英","Xiuying"),("敏","Min"),("静","Jing"),("丽","Li"),("强","Qiang"),
        ("磊","Lei"),("军","Jun"),("洋","Yang"),("勇","Yong"),("艳","Yan"),("杰","Jie"),("娟","Juan"),("涛","Tao"),
        ("明","Ming"),("超","Chao"),("秀兰","Xiulan"),("霞","Xia"),("平","Ping"),("刚","Gang"),("建华","Jianhua"),
        ("志强","Zhiqiang"),("晓明","Xiaoming"),("海燕","Haiyan"),("俊杰","Junjie"),("子涵","Zihan"),("浩然","Haoran"),
        ("雨桐","Yutong"),("嘉怡","Jiayi"),("思远","Siyuan"),("文博","Wenbo"),("欣怡","Xinyi")]
# homophone IME slips (same pinyin, other character)
ZH_HOMO = {"王":"汪","李":"黎","张":"章","刘":"柳","陈":"晨","杨":"扬","黄":"皇","赵":"照","吴":"武","周":"舟",
           "徐":"许","孙":"荪","马":"玛","朱":"珠","胡":"湖","郭":"国","何":"河","高":"糕","林":"琳","罗":"萝",
           "郑":"正","梁":"良","伟":"玮","芳":"方","娜":"纳","英":"莹","敏":"民","静":"婧","丽":"莉","强":"墙",
           "磊":"蕾","军":"君","洋":"阳","勇":"永","艳":"燕","杰":"洁","娟":"鹃","涛":"滔","明":"鸣","超":"潮",
           "兰":"岚","霞":"侠","平":"萍","刚":"钢","建":"剑","华":"化","志":"智","晓":"小","海":"还","燕":"艳",
           "俊":"骏","子":"梓","涵":"晗","浩":"昊","然":"冉","雨":"宇","桐":"彤","嘉":"佳","怡":"仪","思":"斯",
           "远":"媛","文":"雯","博":"波","欣":"心","秀":"绣","欧":"鸥","阳":"洋","司":"思","诸":"朱","葛":"格"}
ZH_TRAD = {"张":"張","陈":"陳","刘":"劉","杨":"楊","黄":"黃","赵":"趙","吴":"吳","马":"馬","郑":"鄭","罗":"羅",
           "伟":"偉","丽":"麗","强":"強","军":"軍","艳":"艷","杰":"傑","涛":"濤","刚":"剛","华":"華","晓":"曉",
           "静":"靜","兰":"蘭","俊":"俊","欧":"歐","阳":"陽","诸":"諸","志":"志","远":"遠","海":"海","娟":"娟",
           "国":"國","东":"東","区":"區","门":"門","路":"路","号":"號"}

# Arabic: (native, latin)
AR_M = [("محمد","Mohammed"),("أحمد","Ahmed"),("علي","Ali"),("عمر","Omar"),("خالد","Khaled"),("يوسف","Youssef"),
        ("حسن","Hassan"),("حسين","Hussein"),("إبراهيم","Ibrahim"),("عبدالله","Abdullah"),("سعيد","Saeed"),
        ("مصطفى","Mustafa"),("طارق","Tariq"),("فيصل","Faisal"),("ماجد","Majed"),("عبدالرحمن","Abdulrahman")]
AR_F = [("فاطمة","Fatima"),("عائشة","Aisha"),("مريم","Maryam"),("نور","Nour"),("سارة","Sara"),("ليلى","Layla"),
        ("هدى","Huda"),("زينب","Zainab"),("خديجة","Khadija"),("رنا","Rana"),("أسماء","Asma"),("منى","Mona")]
AR_L = [("العتيبي","Al-Otaibi"),("الشمري","Al-Shammari"),("القحطاني","Al-Qahtani"),("الحربي","Al-Harbi"),
        ("الدوسري","Al-Dosari"),("الغامدي","Al-Ghamdi"),("الزهراني","Al-Zahrani"),("المطيري","Al-Mutairi"),
        ("حداد","Haddad"),("خوري","Khoury"),("منصور","Mansour"),("سالم","Salem"),("الهاشمي","Al-Hashimi"),
        ("ناصر","Nasser"),("عيسى","Issa"),("البنا","El-Banna"),("السيد","El-Sayed"),("الأنصاري","Al-Ansari"),
        ("العمري","Al-Omari"),("الخطيب","Al-Khatib"),("إسماعيل","Ismail"),("الشهري","Al-Shehri")]
AR_MARKS = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651"]

HE_M = [("דוד","David"),("משה","Moshe"),("יוסף","Yosef"),("אברהם","Avraham"),("יעקב","Yaakov"),("דניאל","Daniel"),
        ("אורי","Uri"),("איתי","Itai"),("נועם","Noam"),("יונתן","Yonatan"),("אליהו","Eliyahu"),("שמואל","Shmuel"),
        ("אריאל","Ariel"),("עמית","Amit")]
HE_F = [("שרה","Sarah"),("רחל","Rachel"),("מרים","Miriam"),("נועה","Noa"),("תמר","Tamar"),("מיכל","Michal"),
        ("יעל","Yael"),("שירה","Shira"),("אסתר","Ester"),("רבקה","Rivka"),("הדס","Hadas"),("אביגיל","Avigail")]
HE_L = [("כהן","Cohen"),("לוי","Levi"),("מזרחי","Mizrahi"),("פרץ","Peretz"),("ביטון","Biton"),("דהן","Dahan"),
        ("פרידמן","Friedman"),("אזולאי","Azoulay"),("מלכה","Malka"),("שפירא","Shapira"),("גולדברג","Goldberg"),
        ("רוזנברג","Rosenberg"),("אוחיון","Ohayon"),("חדד","Hadad"),("גבאי","Gabay"),("אשכנזי","Ashkenazi"),
        ("קליין","Klein"),("ברק","Barak"),("שלום","Shalom"),("אלון","Alon"),("בן דוד","Ben David"),("וייס","Weiss")]
HE_MARKS = ["\u05b8", "\u05b7", "\u05b4", "\u05bc", "\u05b0", "\u05b6"]

PL_M = ["Łukasz","Paweł","Michał","Krzysztof","Tomasz","Piotr","Grzegorz","Wojciech","Jarosław","Mateusz","Przemysław",
        "Zbigniew","Jędrzej","Bartłomiej","Maciej","Sławomir"]
PL_F = ["Małgorzata","Agnieszka","Katarzyna","Joanna","Magdalena","Dorota","Beata","Zofia","Żaneta","Jolanta",
        "Grażyna","Bożena","Elżbieta","Urszula","Jadwiga"]
PL_L = [("Kowalski","Kowalska"),("Nowak","Nowak"),("Wiśniewski","Wiśniewska"),("Wójcik","Wójcik"),
        ("Kowalczyk","Kowalczyk"),("Kamiński","Kamińska"),("Lewandowski","Lewandowska"),("Zieliński","Zielińska"),
        ("Szymański","Szymańska"),("Woźniak","Woźniak"),("Dąbrowski","Dąbrowska"),("Kozłowski","Kozłowska"),
        ("Jankowski","Jankowska"),("Mazur","Mazur"),("Kwiatkowski","Kwiatkowska"),("Krawczyk","Krawczyk"),
        ("Kaczmarek","Kaczmarek"),("Piotrowski","Piotrowska"),("Grabowski","Grabowska"),("Zając","Zając"),
        ("Pawłowski","Pawłowska"),("Król","Król"),("Jabłoński","Jabłońska"),("Wróbel","Wróbel"),
        ("Stępień","Stępień"),("Bąk","Bąk"),("Sokołowski","Sokołowska"),("Ziółkowski","Ziółkowska"),
        ("Głowacki","Głowacka"),("Kaźmierczak","Kaźmierczak"),("Włodarczyk","Włodarczyk"),("Cieślak","Cieślak")]

VI_L = ["Nguyễn","Trần","Lê","Phạm","Hoàng","Huỳnh","Phan","Vũ","Võ","Đặng","Bùi","Đỗ","Hồ","Ngô","Dương","Lý"]
VI_MID_M = ["Văn","Hữu","Đức","Minh","Quốc","Thanh","Công"]
VI_MID_F = ["Thị","Ngọc","Thanh","Minh","Thu","Bảo"]
VI_G_M = ["An","Bình","Cường","Dũng","Hải","Hùng","Khánh","Long","Nam","Phong","Quang","Sơn","Tuấn","Việt","Đạt","Thắng"]
VI_G_F = ["Anh","Hà","Hương","Lan","Linh","Mai","Ngọc","Nhung","Phương","Thảo","Trang","Vy","Yến","Hằng","Thủy"]

TR_M = ["Mehmet","Mustafa","Ahmet","Ali","Hüseyin","Hasan","İbrahim","İsmail","Osman","Yusuf","Murat","Ömer","Emre",
        "Çağlar","Şükrü","Oğuz","Barış","Gökhan"]
TR_F = ["Ayşe","Fatma","Emine","Hatice","Zeynep","Elif","Özlem","Gülşen","Şerife","Büşra","Çiğdem","Ebru","Yağmur",
        "Işıl","Gizem","Sıla"]
TR_L = ["Yılmaz","Kaya","Demir","Şahin","Çelik","Yıldız","Yıldırım","Öztürk","Aydın","Özdemir","Arslan","Doğan",
        "Kılıç","Aslan","Çetin","Kara","Koç","Kurt","Özkan","Şimşek","Polat","Özer","Güneş","Erdoğan","Aktaş","Işık"]

FOLD = {"ł":"l","Ł":"L","đ":"d","Đ":"D","ı":"i","İ":"I","ø":"o","ß":"ss"}
def ascii_fold(s):
    s = "".join(FOLD.get(c, c) for c in s)
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")

# ---------------------------------------------------------------- places
PLACES = {
 "ru": dict(country=("Россия","Russia"), cities=[("Москва","1"),("Санкт-Петербург","19"),("Новосибирск","63"),("Казань","42")],
            streets=["ул. Ленина","ул. Пушкина","Тверская ул.","пр. Мира","ул. Гагарина","Невский пр.","ул. Садовая"],
            domains=["mail.ru","yandex.ru","gmail.com","rambler.ru"],
            companies=["ООО «Ромашка»","АО «Северсталь-Трейд»","ООО «Вектор»","ИП Кузнецов","ООО «ТехноСфера»","ПАО «Альфа-Строй»","ООО «Сибирь Логистик»","ООО «Горизонт»"]),
 "el": dict(country=("Ελλάδα","Greece"), cities=[("Αθήνα","1"),("Θεσσαλονίκη","5"),("Πάτρα","2"),("Ηράκλειο","7")],
            streets=["Οδός Ερμού","Λεωφόρος Συγγρού","Οδός Πανεπιστημίου","Οδός Αιόλου","Λεωφόρος Κηφισίας","Οδός Εγνατίας"],
            domains=["gmail.com","otenet.gr","yahoo.gr","hotmail.com"],
            companies=["Αλφα Εμπορική Α.Ε.","Ελληνικά Τρόφιμα Ε.Π.Ε.","Τεχνική Αιγαίου Ο.Ε.","Ναυτιλιακή Ιονίου Α.Ε.","Πληροφορική Βορρά ΙΚΕ","Φάρμακα Αττικής Α.Ε."]),
 "ja": dict(country=("日本","Japan"), cities=[("東京都","3"),("大阪市","6"),("横浜市","45"),("名古屋市","52")],
            streets=["千代田区丸の内","中央区銀座","港区六本木","北区梅田","中区栄","西区みなとみらい","新宿区西新宿"],
            domains=["yahoo.co.jp","gmail.com","docomo.ne.jp","nifty.com"],
            companies=["株式会社山田商事","トヨタ販売株式会社","有限会社佐藤工業","株式会社サクラテック","日本物流株式会社","株式会社みらい電機"]),
 "zh": dict(country=("中国","China"), cities=[("北京市","10"),("上海市","21"),("广州市","20"),("深圳市","755")],
            streets=["朝阳区建国路","浦东新区世纪大道","天河区体育西路","南山区科技园路","海淀区中关村大街","徐汇区淮海中路"],
            domains=["qq.com","163.com","126.com","sina.com"],
            companies=["北京华信科技有限公司","上海东方贸易有限公司","深圳创新电子有限公司","广州宏达物流有限公司","中兴建设集团股份有限公司","杭州云端网络科技有限公司"]),
 "ar": dict(country=("السعودية","Saudi Arabia"), cities=[("الرياض","11"),("جدة","12"),("الدمام","13"),("مكة المكرمة","12")],
            streets=["شارع الملك فهد","طريق الملك عبدالعزيز","شارع التحلية","شارع العليا","طريق الأمير سلطان","شارع الأمير محمد بن عبدالعزيز"],
            domains=["gmail.com","hotmail.com","yahoo.com","outlook.sa"],
            companies=["شركة الراجحي للتجارة","مؤسسة النور للمقاولات","شركة الخليج للتقنية المحدودة","مجموعة الفيصل القابضة","شركة البحر الأحمر للشحن","مؤسسة الأمل التجارية"]),
 "he": dict(country=("ישראל","Israel"), cities=[("תל אביב-יפו","3"),("ירושלים","2"),("חיפה","4"),("באר שבע","8")],
            streets=["רחוב הרצל","שדרות רוטשילד","רחוב יפו","רחוב אלנבי","דרך בגין","רחוב ויצמן"],
            domains=["gmail.com","walla.co.il","012.net.il","bezeqint.net"],
            companies=["טבע תעשיות בע\"מ","אלביט מערכות בע\"מ","כהן ושות'","מגדל טכנולוגיות בע\"מ","סופר פארם בע\"מ","חברת החשמל"]),
 "pl": dict(country=("Polska","Poland"), cities=[("Warszawa","22"),("Kraków","12"),("Łódź","42"),("Wrocław","71"),("Gdańsk","58")],
            streets=["ul. Marszałkowska","ul. Świętokrzyska","al. Jerozolimskie","ul. Piotrkowska","ul. Długa","ul. Źródlana"],
            domains=["wp.pl","onet.pl","gmail.com","interia.pl"],
            companies=["Przedsiębiorstwo Handlowe Łąka Sp. z o.o.","Żabka Polska Sp. z o.o.","Budimex S.A.","Kowalski i Wspólnicy Sp.j.","Ślązak Transport Sp. z o.o.","Mleczarnia Gostyń S.A."]),
 "vi": dict(country=("Việt Nam","Vietnam"), cities=[("Hà Nội","24"),("Thành phố Hồ Chí Minh","28"),("Đà Nẵng","236"),("Hải Phòng","225")],
            streets=["Đường Lê Lợi","Phố Hàng Bạc","Đường Nguyễn Huệ","Đường Trần Hưng Đạo","Phố Đinh Tiên Hoàng","Đường Võ Văn Kiệt"],
            domains=["gmail.com","yahoo.com.vn","fpt.vn","vnn.vn"],
            companies=["Công ty TNHH Thương mại Sao Việt","Công ty Cổ phần Đầu tư Hưng Thịnh","Công ty TNHH Một thành viên Đông Á","Tập đoàn Phú Mỹ","Công ty CP Xây dựng Hòa Bình"]),
 "tr": dict(country=("Türkiye","Turkey"), cities=[("İstanbul","212"),("Ankara","312"),("İzmir","232"),("Bursa","224")],
            streets=["İstiklal Caddesi","Atatürk Bulvarı","Cumhuriyet Caddesi","Bağdat Caddesi","Şehit Mustafa Sokak","Gazi Mustafa Kemal Bulvarı"],
            domains=["gmail.com","hotmail.com","yandex.com.tr","ttmail.com"],
            companies=["Yıldız Gıda A.Ş.","Öztürk İnşaat Ltd. Şti.","Çelik Otomotiv Sanayi A.Ş.","Doğan Tekstil Ltd. Şti.","Güneş Enerji A.Ş.","Koç Lojistik A.Ş."]),
}
CC = {"ru":"7","el":"30","ja":"81","zh":"86","ar":"966","he":"972","pl":"48","vi":"84","tr":"90"}

def make_phone(r, sc, city_code):
    """Return national significant number (digits, no trunk prefix)."""
    mobile = r.random() < 0.5
    if sc == "ru":
        return ("9" + "".join(r.choice("0123456789") for _ in range(9))) if mobile else ("495" + "".join(r.choice("0123456789") for _ in range(7)))
    if sc == "el":
        return ("69" + "".join(r.choice("0123456789") for _ in range(8))) if mobile else ("21" + "".join(r.choice("0123456789") for _ in range(8)))
    if sc == "ja":
        return (r.choice(["90","80","70"]) + "".join(r.choice("0123456789") for _ in range(8))) if mobile else ("3" + "".join(r.choice("0123456789") for _ in range(8)))
    if sc == "zh":
        return (r.choice(["138","139","186","135"]) + "".join(r.choice("0123456789") for _ in range(8))) if mobile else ("10" + "".join(r.choice("0123456789") for _ in range(8)))
    if sc == "ar":
        return ("5" + r.choice("0345") + "".join(r.choice("0123456789") for _ in range(7))) if mobile else ("11" + "".join(r.choice("0123456789") for _ in range(7)))
    if sc == "he":
        return ("5" + r.choice("02348") + "".join(r.choice("0123456789") for _ in range(7))) if mobile else ("3" + "".join(r.choice("0123456789") for _ in range(7)))
    if sc == "pl":
        return (r.choice("5678") + "".join(r.choice("0123456789") for _ in range(8)))
    if sc == "vi":
        return ("9" + r.choice("01346") + "".join(r.choice("0123456789") for _ in range(7))) if mobile else ("24" + "".join(r.choice("0123456789") for _ in range(8)))
    if sc == "tr":
        return ("5" + r.choice("345") + "".join(r.choice("0123456789") for _ in range(8))) if mobile else ("212" + "".join(r.choice("0123456789") for _ in range(7)))

def fmt_phone(nsn, sc, style):
    cc = CC[sc]
    d = nsn
    if sc == "ru":
        a, b = d[:3], d[3:]
        styles = [f"+7 ({a}) {b[:3]}-{b[3:5]}-{b[5:]}", f"8 ({a}) {b[:3]}-{b[3:5]}-{b[5:]}", f"8{d}", f"+7{d}"]
    elif sc == "el":
        styles = [f"{d[:3]} {d[3:6]} {d[6:]}", f"+30 {d}", f"0030 {d[:3]} {d[3:]}", f"+30-{d[:3]}-{d[3:]}"]
    elif sc == "ja":
        if len(d) == 10:  # mobile 90xxxxxxxx
            styles = [f"0{d[:2]}-{d[2:6]}-{d[6:]}", f"+81-{d[:2]}-{d[2:6]}-{d[6:]}", f"0{d}", f"+81 {d}"]
        else:
            styles = [f"0{d[:1]}-{d[1:5]}-{d[5:]}", f"+81-{d[:1]}-{d[1:5]}-{d[5:]}", f"0{d}", f"(0{d[:1]}) {d[1:5]}-{d[5:]}"]
    elif sc == "zh":
        if len(d) == 11:
            styles = [f"{d[:3]} {d[3:7]} {d[7:]}", f"+86 {d[:3]}-{d[3:7]}-{d[7:]}", d, f"+86{d}"]
        else:
            styles = [f"0{d[:2]}-{d[2:]}", f"+86 {d[:2]} {d[2:]}", f"0{d}", f"(0{d[:2]}){d[2:]}"]
    elif sc == "ar":
        styles = [f"0{d[:2]} {d[2:5]} {d[5:]}", f"+966 {d[:2]} {d[2:5]} {d[5:]}", f"00966{d}", f"+966{d}"]
    elif sc == "he":
        if len(d) == 9:
            styles = [f"0{d[:2]}-{d[2:5]}-{d[5:]}", f"+972-{d[:2]}-{d[2:]}", f"0{d}", f"+972 {d[:2]} {d[2:5]} {d[5:]}"]
        else:
            styles = [f"0{d[:1]}-{d[1:]}", f"+972-{d[:1]}-{d[1:]}", f"0{d}", f"+972 {d[:1]} {d[1:4]} {d[4:]}"]
    elif sc == "pl":
        styles = [f"{d[:3]} {d[3:6]} {d[6:]}", f"+48 {d[:3]}-{d[3:6]}-{d[6:]}", f"0048{d}", f"+48{d}"]
    elif sc == "vi":
        styles = [f"0{d[:2]} {d[2:5]} {d[5:]}", f"+84 {d[:2]} {d[2:5]} {d[5:]}", f"0{d}", f"(+84) {d}"]
    elif sc == "tr":
        styles = [f"0{d[:3]} {d[3:6]} {d[6:8]} {d[8:]}", f"+90 {d[:3]} {d[3:6]} {d[6:]}", f"0{d}", f"+90 ({d[:3]}) {d[3:]}"]
    return styles[style]

def postcode(r, sc):
    D = lambda n: "".join(r.choice("0123456789") for _ in range(n))
    return {"ru": lambda: "1" + D(5), "el": lambda: f"1{D(2)} {D(2)}", "ja": lambda: f"{D(3)}-{D(4)}",
            "zh": lambda: "10" + D(4), "ar": lambda: "1" + D(4), "he": lambda: D(7), "pl": lambda: f"{D(2)}-{D(3)}",
            "vi": lambda: "1" + D(5), "tr": lambda: "34" + D(3)}[sc]()

def street_line(r, sc):
    s = r.choice(PLACES[sc]["streets"]); n = r.randint(1, 180)
    if sc == "ru": return f"{s}, д. {n}, кв. {r.randint(1,120)}"
    if sc == "ja": return f"{s}{r.randint(1,5)}-{r.randint(1,20)}-{r.randint(1,30)}"
    if sc == "zh": return f"{s}{n}号"
    if sc in ("el", "he", "ar"): return f"{s} {n}"
    if sc == "pl": return f"{s} {n}/{r.randint(1,40)}"
    if sc == "vi": return f"{n} {s}"
    if sc == "tr": return f"{s} No:{n} D:{r.randint(1,20)}"

# ---------------------------------------------------------------- people
USED_EMAILS = set()

def make_person(r, sc, pid, country_lang):
    P = PLACES[sc]
    female = r.random() < 0.5
    p = {"script": sc, "pid": pid}
    if sc == "ru":
        f = r.choice(RU_F if female else RU_M); l = r.choice(RU_L)
        ln = l + ("а" if female else "")
        p.update(first=f[0], last=ln, first_lat=f[1], last_lat=ru_tr(ln))
    elif sc == "el":
        f = r.choice(EL_F if female else EL_M); l = r.choice(EL_L)
        p.update(first=f[0], last=l[1] if female else l[0], first_lat=f[1], last_lat=l[3] if female else l[2])
    elif sc == "ja":
        g = r.choice(JA_G); l = r.choice(JA_L)
        p.update(first=g[0], last=l[0], first_kana=g[1], last_kana=l[1], first_lat=g[2], last_lat=l[2])
    elif sc == "zh":
        g = r.choice(ZH_G); l = r.choice(ZH_L)
        p.update(first=g[0], last=l[0], first_lat=g[1], last_lat=l[1])
    elif sc == "ar":
        f = r.choice(AR_F if female else AR_M); l = r.choice(AR_L)
        p.update(first=f[0], last=l[0], first_lat=f[1], last_lat=l[1])
    elif sc == "he":
        f = r.choice(HE_F if female else HE_M); l = r.choice(HE_L)
        p.update(first=f[0], last=l[0], first_lat=f[1], last_lat=l[1])
    elif sc == "pl":
        f = r.choice(PL_F if female else PL_M); l = r.choice(PL_L)
        p.update(first=f, last=l[1] if female else l[0])
    elif sc == "vi":
        mid = r.choice(VI_MID_F if female else VI_MID_M); g = r.choice(VI_G_F if female else VI_G_M)
        p.update(first=f"{mid} {g}", last=r.choice(VI_L))
    elif sc == "tr":
        p.update(first=r.choice(TR_F if female else TR_M), last=r.choice(TR_L))
    if "first_lat" not in p:
        p["first_lat"] = ascii_fold(p["first"]); p["last_lat"] = ascii_fold(p["last"])
    city, _ = r.choice(P["cities"])
    p["nsn"] = make_phone(r, sc, None)
    p["phone_style"] = 0
    fl, ll = ascii_fold(p["first_lat"]).lower().replace(" ", ""), ascii_fold(p["last_lat"]).lower().replace(" ", "").replace("-", "")
    if r.random() < 0.75:
        if sc == "zh" and r.random() < 0.4:
            p["email"] = f"{r.randint(10000000, 999999999)}@qq.com"
        else:
            pat = r.choice(["{f}.{l}", "{f}{l}", "{f0}{l}", "{l}.{f}", "{f}_{l}{n}"])
            p["email"] = pat.format(f=fl, l=ll, f0=fl[:1], n=r.randint(1, 99)) + "@" + r.choice(P["domains"])
        while p["email"] in USED_EMAILS:  # namesakes get their own address
            loc, dom = p["email"].split("@"); p["email"] = f"{loc}{r.randint(1, 999)}@{dom}"
        USED_EMAILS.add(p["email"])
    else:
        p["email"] = ""
    p.update(company=r.choice(P["companies"]), street=street_line(r, sc), city=city, postcode=postcode(r, sc),
             country=P["country"][0 if country_lang == "native" else 1])
    return p

def row_of(p):
    return dict(first_name=p["first"], last_name=p["last"], email=p["email"], phone=fmt_phone(p["nsn"], p["script"], p["phone_style"]) if p["nsn"] else "",
                company=p["company"], street=p["street"], city=p["city"], postcode=p["postcode"], country=p["country"])

# ---------------------------------------------------------------- errors
ALPHA = {
 "ru": "абвгдеёжзийклмнопрстуфхцчшщыьэюя", "el": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ",
 "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "he": "אבגדהוזחטיכלמנסעפצקרשת",
 "pl": "aąbcćdeęfghijklłmnńoóprsśtuwyzźż", "tr": "abcçdefgğhıijklmnoöprsştuüvyz",
 "vi": "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
 "ja": "佐藤田中山本村林木川井上野口高橋渡辺伊加吉松小池森清水崎前藤原岡後石太郎子美和健一大", "zh": "",
}

def letter_positions(s, sc):
    return [i for i, c in enumerate(s) if c.isalpha() and c not in " -"]

def typo(s, sc, r):
    if sc == "zh":
        idx = [i for i, c in enumerate(s) if c in ZH_HOMO]
        if not idx: return None
        i = r.choice(idx); return s[:i] + ZH_HOMO[s[i]] + s[i+1:]
    pos = letter_positions(s, sc)
    if not pos: return None
    i = r.choice(pos[1:] if len(pos) > 2 else pos)
    c = s[i]; alpha = ALPHA[sc]
    choices = [a for a in alpha if a != c.lower()]
    n = r.choice(choices)
    if c.isupper() and sc not in ("ja",): n = n.upper()
    return s[:i] + n + s[i+1:]

def drop(s, sc, r):
    pos = letter_positions(s, sc)
    if len(pos) < 2: return None
    i = r.choice(pos[1:]); return s[:i] + s[i+1:]

def double(s, sc, r):
    pos = letter_positions(s, sc)
    if not pos: return None
    i = r.choice(pos); return s[:i+1] + s[i] + s[i+1:]

def swap(s, sc, r):
    cand = [i for i in range(len(s) - 1) if s[i].isalpha() and s[i+1].isalpha() and s[i] != s[i+1]]
    if sc != "ja" and sc != "zh":
        cand = [i for i in cand if i > 0] or cand
    if not cand: return None
    i = r.choice(cand); return s[:i] + s[i+1] + s[i] + s[i+2:]

def upper_tr(s): return s.replace("i", "İ").replace("ı", "I").upper()
def upper_el(s): return "".join(c for c in unicodedata.normalize("NFD", s.upper()) if unicodedata.category(c) != "Mn")

FW = str.maketrans("0123456789-", "０１２３４５６７８９－")
AR_DIG = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

def ar_ortho(s):
    t = s.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه").replace("ى", "ي")
    if t == s:
        t = s.replace("عبد", "عبد ", 1) if s.startswith("عبد") else (s.replace("ال", "ال ", 1) if s.startswith("ال") else None)
    return t

def add_marks(s, marks, r):
    pos = letter_positions(s, None)
    out = ""
    chosen = set(r.sample(pos, min(len(pos), max(1, len(pos) // 2))))
    for i, c in enumerate(s):
        out += c + (r.choice(marks) if i in chosen else "")
    return out

COMMON = ["typo", "drop", "double", "swap", "translit", "order", "missing_email", "phone_format"]
EXTRA = {"ru": ["allcaps", "company_form"], "el": ["allcaps", "company_form"], "pl": ["allcaps", "company_form"],
         "tr": ["allcaps", "company_form"], "vi": ["allcaps", "company_form"],
         "ja": ["fullwidth", "kana", "variant_kanji", "company_form"], "zh": ["fullwidth", "traditional", "company_form"],
         "ar": ["arabic_digits", "ar_orthography", "vowel_marks", "company_form"], "he": ["vowel_marks", "company_form"]}

def company_form(c, sc, r):
    for a, b in [("ООО «", ""), ("АО «", ""), ("ПАО «", ""), ("ИП ", "")]:
        if c.startswith(a): return c.replace(a, "", 1).rstrip("»") + (" ООО" if a == "ООО «" else "")
    for form in [" Α.Ε.", " Ε.Π.Ε.", " Ο.Ε.", " ΙΚΕ", " Sp. z o.o.", " S.A.", " Sp.j.", " A.Ş.", " Ltd. Şti.", " בע\"מ"]:
        if c.endswith(form): return c[: -len(form)]
    for form in ["株式会社", "有限会社"]:
        if form in c: return c.replace(form, "(株)" if form == "株式会社" else "(有)")
    for form in ["有限公司", "股份有限公司", "集团"]:
        if c.endswith(form): return c[: -len(form)]
    for pre in ["Công ty TNHH ", "Công ty Cổ phần ", "Công ty CP ", "Tập đoàn ", "شركة ", "مؤسسة ", "مجموعة ", "חברת "]:
        if c.startswith(pre): return c[len(pre):]
    return None

def make_dup(p, r, err):
    d = dict(p)
    sc = p["script"]
    field = r.choice(["first", "last"])
    if err in ("typo", "drop", "double", "swap"):
        fn = {"typo": typo, "drop": drop, "double": double, "swap": swap}[err]
        v = fn(d[field], sc, r)
        if v is None or v == d[field]:
            other = "last" if field == "first" else "first"
            v = fn(d[other], sc, r); field = other
            if v is None or v == d[field]: return None
        d[field] = v
    elif err == "translit":
        d["first"], d["last"] = p["first_lat"], p["last_lat"]
    elif err == "order":
        d["first"], d["last"] = p["last"], p["first"]
    elif err == "missing_email":
        if not p["email"]: return None
        d["email"] = ""
    elif err == "phone_format":
        d["phone_style"] = r.choice([1, 2, 3])
    elif err == "allcaps":
        up = upper_tr if sc == "tr" else upper_el if sc == "el" else str.upper
        d["first"], d["last"] = up(p["first"]), up(p["last"])
    elif err == "company_form":
        c = company_form(p["company"], sc, r)
        if not c: return None
        d["company"] = c
    elif err == "fullwidth":
        d["fw"] = True
    elif err == "arabic_digits":
        d["ardig"] = True
    elif err == "kana":
        d["first"], d["last"] = p["first_kana"], p["last_kana"]
    elif err == "variant_kanji":
        for fld in (field, "last" if field == "first" else "first"):
            v = "".join(JA_VARIANT.get(c, c) for c in p[fld])
            if v != p[fld]: d[fld] = v; break
        else: return None
    elif err == "traditional":
        f2 = "".join(ZH_TRAD.get(c, c) for c in p["first"]); l2 = "".join(ZH_TRAD.get(c, c) for c in p["last"])
        if (f2, l2) == (p["first"], p["last"]): return None
        d["first"], d["last"] = f2, l2
        d["street"] = "".join(ZH_TRAD.get(c, c) for c in p["street"])
    elif err == "ar_orthography":
        for fld in (field, "last" if field == "first" else "first"):
            v = ar_ortho(p[fld])
            if v and v != p[fld]: d[fld] = v; break
        else: return None
    elif err == "vowel_marks":
        d["first"] = add_marks(p["first"], AR_MARKS if sc == "ar" else HE_MARKS, r)
    return d

def render(d):
    row = row_of(d)
    if d.get("fw"):
        for k in ("phone", "postcode", "street"): row[k] = row[k].translate(FW)
    if d.get("ardig"):
        for k in ("phone", "postcode", "street"): row[k] = row[k].translate(AR_DIG)
    return row

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("truth")
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.2)
    ap.add_argument("--country-lang", default="native")
    ap.add_argument("--scripts", default="ru,el,ja,zh,ar,he,pl,vi,tr")
    a = ap.parse_args()
    r = random.Random(a.seed)
    scripts = a.scripts.split(",")
    rows = []  # (row dict, pid, script, role, err, email_shared, phone_kept)
    for pid in range(a.people):
        sc = scripts[pid % len(scripts)]
        p = make_person(r, sc, pid, a.country_lang)
        rows.append((render(p), pid, sc, "orig", "", "", ""))
        if r.random() < a.dup_rate:
            ndup = 2 if r.random() < 0.1 else 1
            for _ in range(ndup):
                for _try in range(10):
                    err = r.choice(COMMON + EXTRA[sc])
                    d = make_dup(p, r, err)
                    if d is not None: break
                if d is None: continue
                # secondary: the duplicate often comes from another source without the e-mail
                if err != "missing_email" and d["email"] and r.random() < 0.6:
                    d["email"] = ""
                phone_kept = True
                if err not in ("phone_format", "fullwidth", "arabic_digits") and r.random() < 0.2:
                    d["nsn"] = ""; phone_kept = False
                rows.append((render(d), pid, sc, "dup", err, "1" if (d["email"] and d["email"] == p["email"]) else "0",
                             "1" if phone_kept else "0"))
    r.shuffle(rows)
    cols = ["first_name", "last_name", "email", "phone", "company", "street", "city", "postcode", "country"]
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols); w.writeheader()
        for row, *_ in rows: w.writerow(row)
    with open(a.truth, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(["row", "person", "script", "role", "error", "email_shared", "phone_kept"])
        for i, (row, pid, sc, role, err, es, pk) in enumerate(rows, 1): w.writerow([i, pid, sc, role, err, es, pk])
    ndup = sum(1 for x in rows if x[3] == "dup")
    print(f"{len(rows)} rows, {a.people} people, {ndup} duplicate rows", file=sys.stderr)

if __name__ == "__main__":
    main()
