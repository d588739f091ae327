"""Word banks, sentence templates and calendar words for the replica's generated text.

Everything here was written for the replica; nothing is copied from real pages. Templates
use ``{slot}`` placeholders filled by :func:`fill`. A slot whose name starts with a capital
letter is filled from the lower-case bank of the same name and capitalised; a trailing
digit (``{country2}``) draws another value from the same bank, distinct from the first.
"""

from __future__ import annotations

import random
import re

LANGS: tuple[str, ...] = ("en", "az", "ru")


def _w(text: str) -> tuple[str, ...]:
    """Split a space-separated word list."""
    return tuple(text.split())


# --------------------------------------------------------------------------- calendar

MONTHS_EN = _w(
    "January February March April May June July August September October November December"
)
#: AP-style month abbreviations as English datelines print them.
MONTHS_EN_AP = _w("Jan. Feb. March April May June July Aug. Sept. Oct. Nov. Dec.")
#: Azerbaijani months as Trend prints them in dates: capitalised (İyun, İyul).
MONTHS_AZ = _w("Yanvar Fevral Mart Aprel May İyun İyul Avqust Sentyabr Oktyabr Noyabr Dekabr")
#: Azerbaijani months in running text / datelines (lower case; note "iyul", not "ıyul").
MONTHS_AZ_LOWER = _w("yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr")
#: Russian months in the genitive case ("11 декабря").
MONTHS_RU_GEN = _w(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
)

# --------------------------------------------------------------------------- Trend

#: Trend sections: (section, sub) -> {lang: (section label, sub label)}.
TREND_SECTIONS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("azerbaijan", "politics"): {
        "en": ("Azerbaijan", "Politics"),
        "az": ("Azərbaycan", "Siyasət"),
        "ru": ("Азербайджан", "Политика"),
    },
    ("azerbaijan", "society"): {
        "en": ("Azerbaijan", "Society"),
        "az": ("Azərbaycan", "Cəmiyyət"),
        "ru": ("Азербайджан", "Общество"),
    },
    ("business", "economy"): {
        "en": ("Business", "Economy"),
        "az": ("Biznes", "İqtisadiyyat"),
        "ru": ("Бизнес", "Экономика"),
    },
    ("business", "energy"): {
        "en": ("Business", "Energy"),
        "az": ("Biznes", "Energetika"),
        "ru": ("Бизнес", "Энергетика"),
    },
    ("world", "other"): {
        "en": ("World", "Other News"),
        "az": ("Dünya", "Digər"),
        "ru": ("Мир", "Другие страны"),
    },
    ("world", "analysis"): {
        "en": ("World", "Analysis"),
        "az": ("Dünya", "Təhlil"),
        "ru": ("Мир", "Аналитика"),
    },
}

TREND_UI: dict[str, dict[str, str]] = {
    "en": {
        "all_news": "All news",
        "latest": "Latest news",
        "main": "Main news",
        "search": "Search",
        "more": "More news",
        "about": "About us",
        "contacts": "Contacts",
        "follow": "Follow Trend on Telegram | Facebook | X | Whatsapp",
        "follow_inline": "Read Trend's news first on our Telegram channel",
        "paid": "The full text of this article is available to subscribers only.",
        "tags": "Tags",
    },
    "az": {
        "all_news": "Bütün xəbərlər",
        "latest": "Son xəbərlər",
        "main": "Əsas xəbərlər",
        "search": "Axtarış",
        "more": "Daha çox xəbər",
        "about": "Haqqımızda",
        "contacts": "Əlaqə",
        "follow": "Trend-i izləyin: Telegram | Facebook | X | Whatsapp",
        "follow_inline": "Ən son xəbərləri Trend-in Telegram kanalında oxuyun",
        "paid": "Xəbərin tam mətni yalnız abunəçilər üçün əlçatandır.",
        "tags": "Teqlər",
    },
    "ru": {
        "all_news": "Все новости",
        "latest": "Последние новости",
        "main": "Главные новости",
        "search": "Поиск",
        "more": "Больше новостей",
        "about": "О нас",
        "contacts": "Контакты",
        "follow": "Следите за Trend в Telegram | Facebook | X | Whatsapp",
        "follow_inline": "Читайте новости Trend первыми в нашем Telegram-канале",
        "paid": "Полный текст статьи доступен только подписчикам.",
        "tags": "Теги",
    },
}

# --------------------------------------------------------------------------- BakuTel

#: BakuTel sections: slug -> {lang: label}. The ``div.path`` of an article prints the label.
BAKUTEL_SECTIONS: dict[str, dict[str, str]] = {
    "top": {"en": "Top News", "az": "Əsas xəbərlər", "ru": "Главные новости"},
    "telecom": {"en": "Telecom", "az": "Telekommunikasiya", "ru": "Телекоммуникации"},
    "it": {"en": "IT", "az": "İnformasiya texnologiyaları", "ru": "ИТ"},
    "post": {"en": "Post", "az": "Poçt", "ru": "Почта"},
    "events": {"en": "Events", "az": "Tədbirlər", "ru": "События"},
}

BAKUTEL_UI: dict[str, dict[str, str]] = {
    "en": {
        "top_news": "Top news",
        "all_news": "all news",
        "news": "News",
        "sitemap": "Site map",
        "home": "Home",
        "search": "Search",
        "print": "Print version",
        "rates": "Currency rates",
    },
    "az": {
        "top_news": "Əsas xəbərlər",
        "all_news": "bütün xəbərlər",
        "news": "Xəbərlər",
        "sitemap": "Saytın xəritəsi",
        "home": "Ana səhifə",
        "search": "Axtarış",
        "print": "Çap versiyası",
        "rates": "Valyuta məzənnələri",
    },
    "ru": {
        "top_news": "Главные новости",
        "all_news": "все новости",
        "news": "Новости",
        "sitemap": "Карта сайта",
        "home": "Главная",
        "search": "Поиск",
        "print": "Версия для печати",
        "rates": "Курсы валют",
    },
}

#: Currency codes as BakuTel prints them, with a plausible rate range in manat.
CURRENCIES: dict[str, tuple[float, float]] = {
    "USD": (0.78, 1.70),
    "EUR": (1.05, 2.05),
    "GBP": (1.20, 2.35),
    "RUR": (0.018, 0.032),
    "TRY": (0.04, 0.55),
    "GEL": (0.45, 0.65),
    "CHF": (0.80, 1.95),
    "JPY": (0.0098, 0.0170),
    "CNY": (0.12, 0.26),
    "KZT": (0.0033, 0.0060),
    "UAH": (0.04, 0.10),
}
STANDARD_CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "RUR")
EXTRA_CURRENCIES: tuple[str, ...] = ("TRY", "GEL", "CHF", "JPY", "CNY", "KZT", "UAH")

# --------------------------------------------------------------------------- datelines

#: Dateline patterns per language; formatted with day, month words and a correspondent.
DATELINES: dict[str, tuple[str, ...]] = {
    "en": (
        "BAKU, Azerbaijan, {mon_ap} {day}",
        "BAKU, Azerbaijan, {mon_ap}{day}",
        "{CITY_EN}, {COUNTRY_EN}, {mon_ap} {day}",
        "Baku, Azerbaijan, {mon_ap} {day} By {reporter_en} - Trend:",
    ),
    "az": (
        "Bakı. Trend:",
        "Bakı. {day} {mon_az}. Trend:",
        "{city_az}. Trend:",
        "Bakı. Trend.Az / müxbir {reporter_az} /",
    ),
    "ru": (
        "Баку, Азербайджан, {day} {mon_ru} /корр. Trend/",
        "Баку. Trend:",
        "Баку, Азербайджан, {day} {mon_ru} /корр. Trend {reporter_ru}/",
        "{city_ru}, {country_ru}, {day} {mon_ru} /корр. Trend/",
    ),
}

DATELINE_PLACES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("TASHKENT", "Uzbekistan"),
        ("TBILISI", "Georgia"),
        ("ASTANA", "Kazakhstan"),
        ("ASHGABAT", "Turkmenistan"),
        ("TEHRAN", "Iran"),
    ),
    "az": (("Gəncə",), ("Şuşa",), ("Naxçıvan",), ("Sumqayıt",), ("Ağdam",), ("Şəki",)),
    "ru": (
        ("Ташкент", "Узбекистан"),
        ("Тбилиси", "Грузия"),
        ("Астана", "Казахстан"),
        ("Ашхабад", "Туркменистан"),
    ),
}

REPORTERS: dict[str, tuple[str, ...]] = {
    "en": ("Leyla Mammadli", "Tural Huseynzade", "Aynur Karimli", "Samir Bagirzade"),
    "az": ("Nərgiz Əhmədli", "Orxan Şükürlü", "Günay Ağazadə", "Elçin Çələbi"),
    "ru": ("Э.Гасанова", "Т.Кулиев", "А.Керимова", "С.Багиров"),
}

# --------------------------------------------------------------------------- text banks

_BANKS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "country": _w(
            "Azerbaijan Georgia Kazakhstan Uzbekistan Turkmenistan Kyrgyzstan Türkiye Iran "
            "Italy Germany Hungary Japan China Romania Pakistan Poland Latvia Serbia"
        ),
        "city": (_w("Baku Ganja Sumgayit Shusha Lankaran Nakhchivan Sheki Gabala Aghdam Shamakhi")),
        "org": (
            "the Central Bank of Azerbaijan",
            "the State Statistics Committee",
            "the Ministry of Economy",
            "the Ministry of Digital Development and Transport",
            "the Baku Stock Exchange",
            "the State Customs Committee",
            "the Caspian Shipping Company",
            "the State Oil Fund",
            "the Innovation Agency",
            "the Port of Baku",
            "the Small and Medium Business Development Agency",
        ),
        "field": (
            "energy",
            "transport",
            "agriculture",
            "digital technologies",
            "tourism",
            "education",
            "healthcare",
            "logistics",
            "renewable energy",
            "banking",
            "telecommunications",
            "trade",
        ),
        "goods": (
            "cotton",
            "fruit",
            "wheat",
            "cement",
            "steel",
            "fertilizer",
            "vegetables",
            "natural gas",
            "crude oil",
            "petrochemical products",
            "hazelnuts",
            "textile products",
        ),
        "indicator": (
            "GDP",
            "non-oil exports",
            "foreign trade turnover",
            "industrial output",
            "retail trade",
            "cargo transportation",
            "mobile internet traffic",
            "tourist flow",
        ),
        "event": (
            "an international ICT exhibition",
            "a business forum",
            "a chess tournament",
            "an energy conference",
            "a startup festival",
            "a book fair",
            "a tourism expo",
            "a regional investment summit",
        ),
        "facility": (
            "logistics center",
            "industrial park",
            "school",
            "hospital",
            "metro station",
            "solar power plant",
            "data center",
            "wind farm",
        ),
        "thing": (
            "road construction",
            "IT equipment",
            "bridge repairs",
            "school buses",
            "water pipes",
            "solar panels",
            "medical supplies",
        ),
        "move": ("rise", "fall", "edge up", "slip"),
        "moved": ("up", "down"),
        "reason": (
            "supply concerns",
            "demand outlook",
            "weaker dollar",
            "OPEC+ decision",
            "inventory data",
        ),
        "period": (
            "January-May",
            "the first nine months",
            "the first quarter",
            "the first half of the year",
            "January-October",
        ),
        "person": (
            "Elnur Hasanli",
            "Leyla Mammadzade",
            "Kamran Gulu",
            "Nigar Alizade",
            "Farid Shukurlu",
            "Gunel Rahimli",
        ),
        "position": (
            "deputy minister",
            "chairman of the board",
            "head of department",
            "executive director",
            "chief economist",
        ),
        "brand": ("Azercell", "Bakcell", "Nar", "Aztelekom", "Baktelecom", "AzerTelecom"),
        "audience": ("students", "pensioners", "corporate clients", "tourists", "families"),
        "n": tuple(str(n) for n in range(3, 98)),
        "p": tuple(f"{n / 10:.1f}" for n in range(11, 380, 7)),
    },
    "az": {
        "country": _w(
            "Azərbaycan Gürcüstan Qazaxıstan Özbəkistan Türkmənistan Qırğızıstan Türkiyə İran "
            "İtaliya Almaniya Macarıstan Yaponiya Çin Rumıniya Pakistan Polşa Latviya Serbiya"
        ),
        "city": _w("Bakı Gəncə Sumqayıt Şuşa Lənkəran Naxçıvan Şəki Qəbələ Ağdam Şamaxı"),
        "city_loc": _w(
            "Bakıda Gəncədə Sumqayıtda Şuşada Lənkəranda Naxçıvanda Şəkidə Qəbələdə Ağdamda "
            "Şamaxıda"
        ),
        "org": (
            "Mərkəzi Bank",
            "Dövlət Statistika Komitəsi",
            "İqtisadiyyat Nazirliyi",
            "Rəqəmsal İnkişaf və Nəqliyyat Nazirliyi",
            "Bakı Fond Birjası",
            "Dövlət Gömrük Komitəsi",
            "Dövlət Neft Fondu",
            "İnnovasiya Agentliyi",
            "Ödəniş Sistemləri Mərkəzi",
            "Kiçik və Orta Biznesin İnkişafı Agentliyi",
        ),
        "field": (
            "energetika",
            "nəqliyyat",
            "kənd təsərrüfatı",
            "rəqəmsal texnologiyalar",
            "turizm",
            "təhsil",
            "səhiyyə",
            "logistika",
            "bərpa olunan enerji",
            "bank",
            "telekommunikasiya",
            "ticarət",
        ),
        "goods": (
            "pambıq",
            "meyvə",
            "buğda",
            "sement",
            "polad",
            "gübrə",
            "tərəvəz",
            "təbii qaz",
            "xam neft",
            "fındıq",
            "üzüm",
        ),
        "event": (
            "beynəlxalq İKT sərgisi",
            "biznes forumu",
            "şahmat turniri",
            "enerji konfransı",
            "startap festivalı",
            "kitab sərgisi",
            "turizm sərgisi",
            "regional investisiya sammiti",
        ),
        "facility": (
            "logistika mərkəzi",
            "sənaye parkı",
            "məktəb",
            "xəstəxana",
            "metro stansiyası",
            "günəş elektrik stansiyası",
            "məlumat mərkəzi",
            "külək parkı",
        ),
        "move": ("bahalaşıb", "ucuzlaşıb"),
        "change": ("artıb", "azalıb"),
        "person": (
            "Elnur Həsənov",
            "Leyla Məmmədova",
            "Kamran Quliyev",
            "Nigar Əliyeva",
            "Tural İsmayılov",
            "Fərid Şükürov",
            "Günel Rəhimova",
            "Orxan Çələbiyev",
            "Ülviyyə Ömərova",
        ),
        "brand": ("Azercell", "Bakcell", "Nar", "Aztelekom", "Baktelekom", "AzerTelecom"),
        "n": tuple(str(n) for n in range(3, 98)),
        "m": tuple(str(n) for n in range(2, 12)),
        "p": tuple(f"{n / 10:.1f}".replace(".", ",") for n in range(11, 380, 7)),
    },
    "ru": {
        "country": _w(
            "Азербайджан Грузия Казахстан Узбекистан Туркменистан Кыргызстан Турция Иран "
            "Италия Германия Венгрия Япония Китай Румыния Пакистан Польша Латвия Сербия"
        ),
        "city_prep": (
            _w("Баку Гяндже Сумгайыте Шуше Ленкорани Нахчыване Шеки Габале Агдаме Шамахы")
        ),
        "org": (
            "Центральный банк Азербайджана",
            "Государственный комитет по статистике",
            "Государственный таможенный комитет",
            "Бакинский морской порт",
            "Государственный нефтяной фонд",
            "Азербайджанский инвестиционный холдинг",
            "Фонд развития предпринимательства",
        ),
        "org_gen": (
            "Центрального банка",
            "Госкомстата",
            "Государственного таможенного комитета",
            "Бакинского морского порта",
            "Министерства экономики",
            "Агентства по инновациям",
        ),
        "field_gen": (
            "энергетики",
            "транспорта",
            "сельского хозяйства",
            "цифровых технологий",
            "туризма",
            "образования",
            "здравоохранения",
            "логистики",
            "возобновляемой энергетики",
            "банковского дела",
            "телекоммуникаций",
            "торговли",
        ),
        "goods_gen": (
            "хлопка",
            "фруктов",
            "пшеницы",
            "цемента",
            "стали",
            "удобрений",
            "овощей",
            "природного газа",
            "нефти",
            "фундука",
        ),
        "event_f": (
            "международная выставка ИКТ",
            "энергетическая конференция",
            "книжная ярмарка",
            "туристическая выставка",
            "инвестиционная конференция",
            "шахматная олимпиада",
        ),
        "facility": (
            "логистический центр",
            "промышленный парк",
            "дата-центр",
            "медицинский центр",
            "ветропарк",
            "учебный центр",
        ),
        "moved": ("выросли", "снизились"),
        "person": ("Эльнур Гасанов", "Камран Кулиев", "Турал Исмаилов", "Фарид Шукюров"),
        "brand": ("Азерселл", "Бакселл", "Нар", "Азтелеком", "Бактелеком", "АзерТелеком"),
        "n": tuple(str(n) for n in range(3, 98)),
        "p": tuple(f"{n / 10:.1f}".replace(".", ",") for n in range(11, 380, 7)),
    },
}

_TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "{Country} and {country2} discuss cooperation in {field}",
        "{Country} increases {goods} exports to {country2}",
        "{Country}'s {indicator} up by {p} percent",
        "Oil prices {move} on {reason}",
        "{City} hosts {event}",
        "{Org} announces tender for {thing}",
        "New {facility} to open in {city}",
        "{Country} reveals {indicator} data for {period}",
        "{Org} & partners sign memorandum on {field}",
        "Gold, silver prices in Azerbaijan {moved}",
        "{City} to host {event} next month",
        "Interview: {position} on the future of {field}",
        'Experts discuss "green" {field} at forum in {city}',
        "{Country} to build {facility} near {city}",
        "Demand for {goods} grows in {country}",
    ),
    "az": (
        "{Country} ilə {country2} {field} sahəsində əməkdaşlığı müzakirə edib",
        "{City_loc} {event} açılıb",
        "{City_loc} yeni {facility} tikiləcək",
        "Neftin qiyməti {move}",
        "{Org} {goods} ixracı üzrə hesabat açıqlayıb",
        "Ümumi daxili məhsul {p} faiz artıb",
        "İxracın həcmi {p} faiz {change}",
        "Ərzaq qiymətləri ötən həftə {p} faiz {change}",
        "Ödəniş sistemləri üzrə yeni qaydalar təsdiqlənib",
        "Çində keçirilən sərgidə {n} Azərbaycan şirkəti iştirak edir",
        "Şuşada {event} keçiriləcək",
        "Qızıl və gümüşün qiyməti {move}",
        "{Org} {facility} üçün tender elan edib",
        "Dağ-mədən sənayesində istehsal {p} faiz {change}",
        "Ağdamda {facility} istifadəyə verilib",
    ),
    "ru": (
        "{Country} и {country2} обсудили сотрудничество в сфере {field_gen}",
        "Цены на нефть {moved}",
        "В {city_prep} открылась {event_f}",
        "{Org} объявил тендер на поставку {goods_gen}",
        "Экспорт {goods_gen} из Азербайджана вырос на {p}%",
        "Новый {facility} откроется в {city_prep}",
        "Цены на золото и серебро в Азербайджане {moved}",
        "В {city_prep} пройдет {event_f}",
        "Число туристов в {city_prep} выросло на {p}%",
        "«{Brand}» запустил новые базовые станции в {city_prep}",
        "Эксперты обсудили «зеленую» повестку в {city_prep}",
        "{Country} и {country2} создадут совместный {facility}",
    ),
}

#: Extra title templates for the telecom portal (BakuTel).
_ICT_TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "{Brand} launches new tariff for {audience}",
        "ICT sector grows by {p} percent in {period}",
        "{Brand} expands 4G coverage in {city}",
        "{Country} and {country2} to cooperate on postal services",
        "{Brand} opens new service center in {city}",
        "Free Wi-Fi zones to appear in {city}",
    ),
    "az": (
        "{Brand} {n} yeni baza stansiyası quraşdırıb",
        "İKT sektoru {p} faiz böyüyüb",
        "{City_loc} pulsuz Wi-Fi zonaları yaradılacaq",
        "{Brand} yeni tarif təqdim edib",
        "Ölkədə genişzolaqlı internet istifadəçilərinin sayı artıb",
    ),
    "ru": (
        "«{Brand}» представил новый тариф",
        "Сектор ИКТ вырос на {p}%",
        "В {city_prep} появятся бесплатные зоны Wi-Fi",
        "«{Brand}» открыл сервисный центр в {city_prep}",
        "Число абонентов широкополосного интернета выросло на {p}%",
    ),
}

_TITLE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": (" (PHOTO)", " (VIDEO)", " (PHOTO/VIDEO)", " - UPDATED"),
    "az": (" - FOTO", " - VİDEO", " - FOTO/VİDEO", " - YENİLƏNİB"),
    "ru": (" (ФОТО)", " (ВИДЕО)", " - ОБНОВЛЕНО"),
}

#: Azerbaijani all-caps prefixes of breaking news ("TƏCİLİ: ...").
AZ_TITLE_PREFIXES: tuple[str, ...] = ("TƏCİLİ", "RƏSMİ", "ÖZƏL", "ŞƏRH", "ÇAĞIRIŞ")

_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "{Org} said the work would be completed by the end of the year.",
        "According to {org}, {indicator} grew by {p} percent compared with the same period "
        "last year.",
        "The sides discussed prospects for cooperation in {field} and {field2}.",
        "The event brought together more than {n} participants from {n2} countries.",
        "{Person}, {position} at {org}, said the project was of great importance for the region.",
        "The total cost of the project is estimated at {n} million manat.",
        "Experts expect demand for {goods} to remain strong in the coming months.",
        "The agreement provides for the creation of a joint working group.",
        "In {period}, exports of {goods} amounted to {n} thousand tons.",
        "The next meeting of the intergovernmental commission is planned in {city}.",
        "“We are interested in expanding our presence in this market,” {person} said.",
        "The company’s management did not comment on the figures.",
        "Earlier, {org} reported an increase in {indicator}.",
        "It was noted that about {n} new jobs would be created in {city}.",
        "Participants also visited the stands of local companies.",
        "The ministry said applications would be accepted until the end of the month.",
        "Prices for {goods} went {moved} by {p} percent over the week.",
        "The program is expected to cover {n} schools and {n2} clinics across the country.",
        "Compared with the previous year, the indicator improved considerably.",
        "Construction of the {facility} in {city} is ahead of schedule, officials said.",
    ),
    "az": (
        "{Org} {field} sahəsində əməkdaşlığın genişləndirilməsi məsələlərini müzakirə edib.",
        "Tərəflər {field} və {field2} sahələrində birgə layihələrin perspektivlərini nəzərdən "
        "keçiriblər.",
        "Qeyd olunub ki, cari ilin ilk {m} ayında ixracın həcmi {p} faiz artıb.",
        "{City_loc} keçirilən tədbirdə {n2} ölkədən {n} nümayəndə iştirak edir.",
        "Layihənin ümumi dəyəri {n} milyon manat təşkil edir.",
        "Mütəxəssislərin fikrincə, {field} sahəsində artım yaxın aylarda da davam edəcək.",
        "Bu barədə {org} məlumat yayıb.",
        "Sərgi {m} gün ərzində ziyarətçilərin üzünə açıq olacaq.",
        "Sazişə əsasən, birgə işçi qrupu yaradılacaq.",
        "Növbəti görüşün {city_loc} keçirilməsi planlaşdırılır.",
        "“Biz bazarda mövqeyimizi genişləndirməkdə maraqlıyıq”, - deyə {person} bildirib.",
        "Şirkət rəhbərliyi rəqəmlərə münasibət bildirməyib.",
        "Öncə {org} {goods} istehsalının artdığını açıqlamışdı.",
        "Bildirilib ki, {city_loc} {n} yeni iş yeri yaradılacaq.",
        "İştirakçılar yerli şirkətlərin stendləri ilə də tanış olublar.",
        "Nazirlik müraciətlərin ay sonuna qədər qəbul ediləcəyini bildirib.",
        "Həftə ərzində {goods} qiyməti {p} faiz {change}.",
        "Ümumilikdə {n} məktəb və {n2} xəstəxana proqrama daxil ediləcək.",
        "Əvvəlki il ilə müqayisədə göstərici xeyli yaxşılaşıb.",
        "Çıxışında {person} gənc mütəxəssislərin hazırlanmasının vacibliyini vurğulayıb.",
    ),
    "ru": (
        "По данным {org_gen}, показатель вырос на {p}% по сравнению с аналогичным периодом "
        "прошлого года.",
        "Стороны обсудили перспективы сотрудничества в сфере {field_gen} и {field_gen2}.",
        "В мероприятии приняли участие делегаты из {n2} стран.",
        "Общая стоимость проекта оценивается в {n} млн манатов.",
        "Эксперты ожидают, что спрос на продукцию сохранится в ближайшие месяцы.",
        "Соглашение предусматривает создание совместной рабочей группы.",
        "Следующее заседание межправительственной комиссии планируется провести в {city_prep}.",
        "«Мы заинтересованы в расширении присутствия на рынке», - сказал {person}.",
        "Руководство компании не комментирует эти данные.",
        "Ранее {org} сообщил о росте показателей.",
        "Отмечается, что в {city_prep} будут созданы новые рабочие места.",
        "Участники также осмотрели стенды местных компаний.",
        "В министерстве сообщили, что заявки принимаются до конца месяца.",
        "Работы планируется завершить до конца года.",
        "Показатели отрасли растут второй год подряд.",
        "По словам организаторов, мероприятие станет ежегодным.",
        "Цены на экспорт {goods_gen} за неделю {moved} на {p}%.",
        "Проект охватит {n} школ в разных регионах страны.",
    ),
}

_ICT_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "{Brand} said the new base stations would cover {n} villages.",
        "The number of broadband subscribers reached {n} per 100 residents.",
        "The operator plans to modernise its network in {city} by the end of the year.",
    ),
    "az": (
        "{Brand} bildirib ki, yeni baza stansiyaları {n} kəndi əhatə edəcək.",
        "Genişzolaqlı internet abunəçilərinin sayı hər 100 nəfərə {n} çatıb.",
    ),
    "ru": (
        "В компании «{Brand}» сообщили, что новые станции охватят {n} сел.",
        "Число абонентов широкополосного доступа достигло {n} на 100 жителей.",
    ),
}

# --------------------------------------------------------------------------- filling

_SLOT = re.compile(r"\{([A-Za-z_]+?)(\d?)\}")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fill(rng: random.Random, lang: str, template: str) -> str:
    """Fill every ``{slot}`` of ``template`` from the ``lang`` word banks."""
    bank = _BANKS[lang]
    chosen: dict[str, list[str]] = {}

    def pick(match: re.Match[str]) -> str:
        name, _digit = match.group(1), match.group(2)
        capital = name[0].isupper()
        key = name.lower() if capital and name.lower() in bank else name
        values = bank[key]
        used = chosen.setdefault(key, [])
        choice = rng.choice(values)
        for _ in range(8):
            if choice not in used:
                break
            choice = rng.choice(values)
        used.append(choice)
        return _cap(choice) if capital else choice

    return _SLOT.sub(pick, template)


def az_upper(text: str) -> str:
    """Upper-case Azerbaijani text with its own dotted/dotless i rules (i -> İ, ı -> I)."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def make_title(rng: random.Random, lang: str, *, ict: bool = False) -> str:
    """One headline in ``lang``; ``ict`` mixes in the telecom portal's topics."""
    templates = _TITLES[lang] + (_ICT_TITLES[lang] * 2 if ict else ())
    title = fill(rng, lang, rng.choice(templates))
    if rng.random() < 0.15:
        title += rng.choice(_TITLE_SUFFIXES[lang])
    return title


def make_paragraphs(rng: random.Random, lang: str, count: int, *, ict: bool = False) -> list[str]:
    """``count`` paragraphs of one to three sentences; sentence templates are drawn without
    replacement (a new shuffled round only once all were used), so an article does not
    repeat itself."""
    pool = list(_SENTENCES[lang] + (_ICT_SENTENCES[lang] if ict else ()))
    deck: list[str] = []
    out: list[str] = []
    while len(out) < count:
        sentences = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            if not deck:
                deck = pool[:]
                rng.shuffle(deck)
            sentences.append(fill(rng, lang, deck.pop()))
        para = " ".join(sentences)
        if para not in out:
            out.append(para)
    return out
