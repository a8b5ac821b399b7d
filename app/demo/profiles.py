"""The three demo operators: who they are, where their agencies are, what they sell.

Everything a profile decides is data here, so that the generator has no
country-specific branches: a new profile is a new :class:`Profile` value.
Amounts are integers of the currency's minor units (centimes, millimes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from app.demo.names import DZ_NAMES, FR_NAMES, TN_NAMES, NamePool
from db.models import ServiceType, TenderKind


@dataclass(frozen=True)
class CitySpec:
    name: str
    name_ar: str | None
    postal_codes: tuple[str, ...]
    # National digits that open a fixed number in this city ("21" for Algiers,
    # "1" for Paris); lines and home phones are drawn from these ranges.
    area_codes: tuple[str, ...]
    weight: int


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    name_ar: str | None
    city: str
    address: str
    counters: int


@dataclass(frozen=True)
class OfferSpec:
    code: str
    name: str
    name_ar: str | None
    service: ServiceType
    monthly_fee_minor: int
    weight: int
    # Variable part of a bill: calls, out-of-bundle use...
    usage_max_minor: int = 0
    usage_share: float = 0.0
    # Metered energy: units (kWh, m3) per month at a unit price, with a season.
    units_per_month: int = 0
    unit_price_minor: int = 0
    season: str | None = None  # "summer" (air conditioning) or "winter" (heating)
    tax_percent: int = 0


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    name_ar: str | None
    service: ServiceType
    face_value_minor: int


@dataclass(frozen=True)
class NumberRange:
    """E.164 numbers: a fixed prefix followed by ``digits`` free digits."""

    prefix: str
    digits: int


@dataclass(frozen=True)
class DayOverride:
    """A dated exception, placed relative to the build date on a given weekday."""

    weekday: int
    weeks_ahead: int
    agency_index: int
    is_open: bool
    opens_at: time | None
    closes_at: time | None
    reason: str


@dataclass(frozen=True)
class Profile:
    key: str
    operator_code: str
    operator_name: str
    operator_name_ar: str | None
    country: str
    currency: str
    default_language: str
    timezone: str
    hotline: str
    receipt_footer: str
    agencies: tuple[AgencySpec, ...]
    # (weekday, opens, closes); 0 = Monday ... 6 = Sunday, two rows make two intervals.
    weekly_hours: tuple[tuple[int, time, time], ...]
    overrides: tuple[DayOverride, ...]
    cities: tuple[CitySpec, ...]
    streets: tuple[str, ...]
    address_formats: tuple[str, ...]
    names: NamePool
    # Maghrebi-origin names among French subscribers, with Arabic for some.
    foreign_names: NamePool | None
    foreign_share: float
    arabic_share: float
    business_share: float
    languages: tuple[tuple[str, int], ...]
    email_domains: tuple[str, ...]
    email_share: float
    calling_code: str  # "+213"
    mobile_ranges: tuple[NumberRange, ...]
    fixed_digits: int  # free digits after a city's area code
    phone_counts: tuple[int, int, int]  # weights of 0, 1 and 2 phones
    offers: tuple[OfferSpec, ...]
    products: tuple[ProductSpec, ...]
    bundles: tuple[tuple[int, tuple[ServiceType, ...]], ...]
    billing_months: int
    due_days: tuple[int, int]
    late_fee_percent: int
    late_fee_min_minor: int
    account_base: int
    account_width: int
    contract_prefix: str
    meter_prefixes: dict[ServiceType, str]
    tender_weights: tuple[tuple[TenderKind, int], ...]
    banks: tuple[str, ...]
    transfer_prefix: str
    cash_unit_minor: int  # banknote that cash is rounded up to (change given)
    partial_unit_minor: int  # part payments are round sums of this
    opening_float: str
    counter_label: str
    kiosk_label: str


_DZ_DAY = (time(8), time(16, 30))
_TN_MORNING = (time(8), time(12))
_TN_AFTERNOON = (time(14), time(17))

DZ = Profile(
    key="dz",
    operator_code="TAD",
    operator_name="Télécom Algérie Démo",
    operator_name_ar="اتصالات الجزائر التجريبية",
    country="DZ",
    currency="DZD",
    default_language="fr",
    timezone="Africa/Algiers",
    hotline="12",
    receipt_footer="Merci de votre visite — شكرا على زيارتكم",
    agencies=(
        AgencySpec(
            "ALG01", "Alger Centre", "الجزائر الوسطى", "Alger", "12, boulevard Mohamed V", 4
        ),
        AgencySpec("ALG02", "Bab Ezzouar", "باب الزوار", "Alger", "Cité 5 Juillet, lot 14", 3),
        AgencySpec(
            "ORN01",
            "Oran Medina Jedida",
            "وهران المدينة الجديدة",
            "Oran",
            "3, boulevard de la Soummam",
            3,
        ),
        AgencySpec(
            "CST01",
            "Constantine Centre",
            "قسنطينة المركز",
            "Constantine",
            "21, rue Abane Ramdane",
            3,
        ),
        AgencySpec(
            "ANB01",
            "Annaba Cours de la Révolution",
            "عنابة",
            "Annaba",
            "8, cours de la Révolution",
            2,
        ),
        AgencySpec(
            "SET01", "Sétif Ain Fouara", "سطيف عين الفوارة", "Sétif", "45, avenue du 8 Mai 1945", 2
        ),
        AgencySpec(
            "TLM01", "Tlemcen Centre", "تلمسان المركز", "Tlemcen", "2, rue du 1er Novembre", 2
        ),
        AgencySpec("BJA01", "Béjaïa Liberté", "بجاية", "Béjaïa", "16, rue de la Liberté", 2),
    ),
    # Saturday to Thursday, the whole day (journée continue); Friday is the weekend.
    weekly_hours=tuple((weekday, *_DZ_DAY) for weekday in (5, 6, 0, 1, 2, 3)),
    overrides=(
        DayOverride(
            4,
            3,
            0,
            True,
            time(8),
            time(12),
            "Ouverture exceptionnelle le vendredi matin (fin d'échéance)",
        ),
        DayOverride(2, 2, 2, False, None, None, "Fermeture exceptionnelle : travaux"),
    ),
    cities=(
        CitySpec(
            "Alger",
            "الجزائر",
            ("16000", "16002", "16004", "16016", "16024", "16030"),
            ("21", "23"),
            30,
        ),
        CitySpec("Oran", "وهران", ("31000", "31001", "31003", "31004"), ("41",), 14),
        CitySpec("Constantine", "قسنطينة", ("25000", "25001", "25002"), ("31",), 10),
        CitySpec("Annaba", "عنابة", ("23000", "23001"), ("38",), 7),
        CitySpec("Blida", "البليدة", ("09000",), ("25",), 7),
        CitySpec("Sétif", "سطيف", ("19000",), ("36",), 8),
        CitySpec("Tlemcen", "تلمسان", ("13000",), ("43",), 6),
        CitySpec("Béjaïa", "بجاية", ("06000",), ("34",), 6),
        CitySpec("Batna", "باتنة", ("05000",), ("33",), 6),
        CitySpec("Tizi Ouzou", "تيزي وزو", ("15000",), ("26",), 6),
    ),
    streets=(
        "rue Didouche Mourad",
        "boulevard Zighout Youcef",
        "rue Larbi Ben M'hidi",
        "rue Hassiba Ben Bouali",
        "boulevard de l'ALN",
        "rue Abane Ramdane",
        "avenue de l'Indépendance",
        "rue des Frères Bouadou",
        "boulevard Krim Belkacem",
        "rue Ahmed Zabana",
        "chemin des Crêtes",
        "rue du 1er Novembre",
        "boulevard Colonel Amirouche",
        "rue Emir Abdelkader",
    ),
    address_formats=(
        "{n}, {street}",
        "{n}, {street}",
        "Cité {cite} Logements, Bt {block}, N° {flat}",
        "Lotissement {lot}, N° {n}",
    ),
    names=DZ_NAMES,
    foreign_names=None,
    foreign_share=0.0,
    arabic_share=0.9,
    business_share=0.03,
    languages=(("fr", 55), ("ar", 45)),
    email_domains=("gmail.com", "yahoo.fr", "hotmail.com", "outlook.fr"),
    email_share=0.3,
    calling_code="+213",
    mobile_ranges=(NumberRange("+2135", 8), NumberRange("+2136", 8), NumberRange("+2137", 8)),
    fixed_digits=6,
    phone_counts=(15, 60, 25),
    offers=(
        OfferSpec(
            "FIXE-RES",
            "Téléphone fixe résidentiel",
            "الهاتف الثابت السكني",
            ServiceType.FIXED_LINE,
            50000,
            1,
            usage_max_minor=250000,
            usage_share=0.9,
        ),
        OfferSpec(
            "IDOOM-ADSL-8", "Idoom ADSL 8 Mo", "إيدوم ADSL 8 ميغا", ServiceType.ADSL, 160000, 45
        ),
        OfferSpec(
            "IDOOM-ADSL-15", "Idoom ADSL 15 Mo", "إيدوم ADSL 15 ميغا", ServiceType.ADSL, 220000, 30
        ),
        OfferSpec(
            "IDOOM-ADSL-20", "Idoom ADSL 20 Mo", "إيدوم ADSL 20 ميغا", ServiceType.ADSL, 260000, 25
        ),
        OfferSpec(
            "IDOOM-FIBRE-50",
            "Idoom Fibre 50 Mo",
            "إيدوم فيبر 50 ميغا",
            ServiceType.FTTH,
            290000,
            45,
        ),
        OfferSpec(
            "IDOOM-FIBRE-100",
            "Idoom Fibre 100 Mo",
            "إيدوم فيبر 100 ميغا",
            ServiceType.FTTH,
            370000,
            35,
        ),
        OfferSpec(
            "IDOOM-FIBRE-300",
            "Idoom Fibre 300 Mo",
            "إيدوم فيبر 300 ميغا",
            ServiceType.FTTH,
            600000,
            20,
        ),
        OfferSpec(
            "LTE-30", "Idoom 4G LTE 30 Go", "إيدوم 4G LTE 30 جيغا", ServiceType.LTE, 150000, 50
        ),
        OfferSpec(
            "LTE-60", "Idoom 4G LTE 60 Go", "إيدوم 4G LTE 60 جيغا", ServiceType.LTE, 250000, 35
        ),
        OfferSpec(
            "LTE-120", "Idoom 4G LTE 120 Go", "إيدوم 4G LTE 120 جيغا", ServiceType.LTE, 400000, 15
        ),
    ),
    products=(
        ProductSpec(
            "LTE500", "Recharge 4G LTE 500 DA", "تعبئة 4G LTE 500 دج", ServiceType.LTE, 50000
        ),
        ProductSpec(
            "LTE1000", "Recharge 4G LTE 1000 DA", "تعبئة 4G LTE 1000 دج", ServiceType.LTE, 100000
        ),
        ProductSpec(
            "LTE2000", "Recharge 4G LTE 2000 DA", "تعبئة 4G LTE 2000 دج", ServiceType.LTE, 200000
        ),
        ProductSpec(
            "MOB100",
            "Recharge mobile 100 DA",
            "تعبئة الهاتف النقال 100 دج",
            ServiceType.MOBILE,
            10000,
        ),
        ProductSpec(
            "MOB500",
            "Recharge mobile 500 DA",
            "تعبئة الهاتف النقال 500 دج",
            ServiceType.MOBILE,
            50000,
        ),
        ProductSpec(
            "MOB1000",
            "Recharge mobile 1000 DA",
            "تعبئة الهاتف النقال 1000 دج",
            ServiceType.MOBILE,
            100000,
        ),
    ),
    bundles=(
        (30, (ServiceType.FIXED_LINE, ServiceType.ADSL)),
        (14, (ServiceType.FIXED_LINE,)),
        (18, (ServiceType.FTTH,)),
        (18, (ServiceType.LTE,)),
        (6, (ServiceType.FIXED_LINE, ServiceType.LTE)),
        (5, (ServiceType.FTTH, ServiceType.LTE)),
        (4, (ServiceType.FIXED_LINE, ServiceType.ADSL, ServiceType.LTE)),
        (5, (ServiceType.ADSL,)),
    ),
    billing_months=2,
    due_days=(25, 30),
    late_fee_percent=5,
    late_fee_min_minor=10000,
    account_base=2_150_000_000,
    account_width=10,
    contract_prefix="CT",
    meter_prefixes={},
    tender_weights=(
        (TenderKind.CASH, 70),
        (TenderKind.CHEQUE, 10),
        (TenderKind.CARD, 8),
        (TenderKind.POSTAL_TRANSFER, 12),
    ),
    banks=("BNA", "CPA", "BEA", "BADR", "BDL", "CNEP-Banque", "Algérie Poste (CCP)"),
    transfer_prefix="CCP",
    cash_unit_minor=100000,
    partial_unit_minor=50000,
    opening_float="10000",
    counter_label="Guichet",
    kiosk_label="Borne",
)

TN = Profile(
    key="tn",
    operator_code="SEGD",
    operator_name="Société d'Électricité et du Gaz Démo",
    operator_name_ar="الشركة التجريبية للكهرباء والغاز",
    country="TN",
    currency="TND",
    default_language="fr",
    timezone="Africa/Tunis",
    hotline="71 000 000",
    receipt_footer="Merci de votre visite — شكرا على زيارتكم",
    agencies=(
        AgencySpec(
            "TUN01", "Tunis Bab Bhar", "تونس باب بحر", "Tunis", "38, avenue Habib Bourguiba", 4
        ),
        AgencySpec("TUN02", "Tunis El Menzah", "تونس المنزه", "Tunis", "5, avenue Hédi Chaker", 3),
        AgencySpec(
            "ARI01", "Ariana Ville", "أريانة المدينة", "Ariana", "12, avenue de la République", 2
        ),
        AgencySpec("SFX01", "Sfax Centre", "صفاقس المركز", "Sfax", "route de Gremda km 1", 3),
        AgencySpec(
            "SOU01", "Sousse Boujaafar", "سوسة بوجعفر", "Sousse", "9, avenue Taïeb Mhiri", 3
        ),
        AgencySpec("BIZ01", "Bizerte", "بنزرت", "Bizerte", "14, rue d'Alger", 2),
        AgencySpec("NAB01", "Nabeul", "نابل", "Nabeul", "avenue Farhat Hached", 2),
        AgencySpec("GAB01", "Gabès", "قابس", "Gabès", "rue Mongi Slim", 2),
    ),
    weekly_hours=(
        *((weekday, *_TN_MORNING) for weekday in range(5)),
        *((weekday, *_TN_AFTERNOON) for weekday in range(5)),
        (5, time(8), time(12, 30)),
    ),
    overrides=(
        DayOverride(
            5, 2, 0, True, time(8), time(17), "Ouverture exceptionnelle : campagne de recouvrement"
        ),
        DayOverride(3, 3, 3, False, None, None, "Fermeture exceptionnelle : inventaire"),
    ),
    cities=(
        CitySpec("Tunis", "تونس", ("1000", "1001", "1002", "1073", "1082"), ("71",), 28),
        CitySpec("Ariana", "أريانة", ("2080", "2083"), ("70",), 10),
        CitySpec("Ben Arous", "بن عروس", ("2013",), ("79",), 8),
        CitySpec("Sfax", "صفاقس", ("3000", "3027", "3062"), ("74",), 14),
        CitySpec("Sousse", "سوسة", ("4000", "4051"), ("73",), 10),
        CitySpec("Bizerte", "بنزرت", ("7000",), ("72",), 6),
        CitySpec("Nabeul", "نابل", ("8000",), ("72",), 7),
        CitySpec("Gabès", "قابس", ("6000",), ("75",), 5),
        CitySpec("Kairouan", "القيروان", ("3100",), ("77",), 6),
        CitySpec("Monastir", "المنستير", ("5000",), ("73",), 6),
    ),
    streets=(
        "avenue Habib Bourguiba",
        "rue de Marseille",
        "avenue de la Liberté",
        "rue Ibn Khaldoun",
        "avenue Hédi Chaker",
        "rue de Palestine",
        "avenue Farhat Hached",
        "rue Mongi Slim",
        "avenue Taïeb Mhiri",
        "rue de Carthage",
        "avenue de la République",
        "rue Ali Belhouane",
        "avenue Mohamed V",
        "rue d'Alger",
    ),
    address_formats=(
        "{n}, {street}",
        "{n}, {street}",
        "Cité {lot}, rue {flat}",
        "Résidence {lot}, app. {flat}",
    ),
    names=TN_NAMES,
    foreign_names=None,
    foreign_share=0.0,
    arabic_share=0.95,
    business_share=0.03,
    languages=(("fr", 50), ("ar", 50)),
    email_domains=("gmail.com", "yahoo.fr", "topnet.tn", "planet.tn"),
    email_share=0.35,
    calling_code="+216",
    mobile_ranges=(NumberRange("+2162", 7), NumberRange("+2165", 7), NumberRange("+2169", 7)),
    fixed_digits=6,
    phone_counts=(10, 65, 25),
    offers=(
        OfferSpec(
            "ELEC-BT2",
            "Électricité basse tension 2 kVA",
            "كهرباء ضغط منخفض 2 ك.ف.أ",
            ServiceType.ELECTRICITY,
            2450,
            40,
            units_per_month=120,
            unit_price_minor=176,
            season="summer",
            tax_percent=13,
        ),
        OfferSpec(
            "ELEC-BT4",
            "Électricité basse tension 4 kVA",
            "كهرباء ضغط منخفض 4 ك.ف.أ",
            ServiceType.ELECTRICITY,
            3900,
            45,
            units_per_month=220,
            unit_price_minor=218,
            season="summer",
            tax_percent=13,
        ),
        OfferSpec(
            "ELEC-BT6",
            "Électricité basse tension 6 kVA",
            "كهرباء ضغط منخفض 6 ك.ف.أ",
            ServiceType.ELECTRICITY,
            5600,
            15,
            units_per_month=380,
            unit_price_minor=241,
            season="summer",
            tax_percent=13,
        ),
        OfferSpec(
            "GAZ-RES",
            "Gaz naturel résidentiel",
            "الغاز الطبيعي السكني",
            ServiceType.GAS,
            1200,
            75,
            units_per_month=25,
            unit_price_minor=412,
            season="winter",
            tax_percent=13,
        ),
        OfferSpec(
            "GAZ-CHAUF",
            "Gaz naturel chauffage central",
            "الغاز الطبيعي للتدفئة المركزية",
            ServiceType.GAS,
            2300,
            25,
            units_per_month=60,
            unit_price_minor=398,
            season="winter",
            tax_percent=13,
        ),
    ),
    products=(
        ProductSpec(
            "ELEC10",
            "Crédit électricité prépayé 10 TND",
            "رصيد كهرباء مسبق الدفع 10 د",
            ServiceType.ELECTRICITY,
            10000,
        ),
        ProductSpec(
            "ELEC20",
            "Crédit électricité prépayé 20 TND",
            "رصيد كهرباء مسبق الدفع 20 د",
            ServiceType.ELECTRICITY,
            20000,
        ),
        ProductSpec(
            "ELEC50",
            "Crédit électricité prépayé 50 TND",
            "رصيد كهرباء مسبق الدفع 50 د",
            ServiceType.ELECTRICITY,
            50000,
        ),
        ProductSpec(
            "ELEC100",
            "Crédit électricité prépayé 100 TND",
            "رصيد كهرباء مسبق الدفع 100 د",
            ServiceType.ELECTRICITY,
            100000,
        ),
    ),
    bundles=(
        (55, (ServiceType.ELECTRICITY,)),
        (38, (ServiceType.ELECTRICITY, ServiceType.GAS)),
        (5, (ServiceType.ELECTRICITY, ServiceType.ELECTRICITY)),
        (2, (ServiceType.ELECTRICITY, ServiceType.ELECTRICITY, ServiceType.GAS)),
    ),
    billing_months=2,
    due_days=(20, 25),
    late_fee_percent=2,
    late_fee_min_minor=1500,
    account_base=310_000_000,
    account_width=9,
    contract_prefix="CT",
    meter_prefixes={ServiceType.ELECTRICITY: "1", ServiceType.GAS: "2"},
    tender_weights=(
        (TenderKind.CASH, 70),
        (TenderKind.CHEQUE, 12),
        (TenderKind.CARD, 10),
        (TenderKind.POSTAL_TRANSFER, 8),
    ),
    banks=("BIAT", "STB", "BNA", "Attijari Bank", "Amen Bank", "BH Bank", "UIB"),
    transfer_prefix="CCP",
    cash_unit_minor=10000,
    partial_unit_minor=5000,
    opening_float="100",
    counter_label="Guichet",
    kiosk_label="Borne",
)

FR = Profile(
    key="fr",
    operator_code="FND",
    operator_name="Fibre & Net Démo",
    operator_name_ar=None,
    country="FR",
    currency="EUR",
    default_language="fr",
    timezone="Europe/Paris",
    hotline="3900",
    receipt_footer="Merci de votre visite. Appel au 3900 : service gratuit + prix de l'appel.",
    agencies=(
        AgencySpec("PAR01", "Paris République", None, "Paris", "12, place de la République", 4),
        AgencySpec("PAR02", "Paris Montparnasse", None, "Paris", "40, rue de Rennes", 3),
        AgencySpec("LYO01", "Lyon Part-Dieu", None, "Lyon", "17, rue du Docteur-Bouchut", 3),
        AgencySpec("MRS01", "Marseille Canebière", None, "Marseille", "58, la Canebière", 3),
        AgencySpec("TLS01", "Toulouse Capitole", None, "Toulouse", "3, rue Lafayette", 2),
        AgencySpec("LIL01", "Lille Flandres", None, "Lille", "9, place des Buisses", 2),
        AgencySpec(
            "BDX01", "Bordeaux Sainte-Catherine", None, "Bordeaux", "101, rue Sainte-Catherine", 2
        ),
        AgencySpec("NTE01", "Nantes Commerce", None, "Nantes", "2, place du Commerce", 2),
    ),
    weekly_hours=tuple((weekday, time(9, 30), time(19)) for weekday in range(1, 6)),
    overrides=(
        DayOverride(
            0,
            2,
            0,
            True,
            time(9, 30),
            time(19),
            "Ouverture exceptionnelle le lundi : lancement de l'offre fibre",
        ),
        DayOverride(4, 4, 5, False, None, None, "Fermeture exceptionnelle : travaux"),
    ),
    cities=(
        CitySpec("Paris", None, tuple(f"750{n:02d}" for n in range(1, 21)), ("1",), 30),
        CitySpec("Lyon", None, tuple(f"6900{n}" for n in range(1, 10)), ("4",), 12),
        CitySpec("Marseille", None, tuple(f"130{n:02d}" for n in range(1, 17)), ("4",), 12),
        CitySpec("Toulouse", None, ("31000", "31200", "31300", "31400", "31500"), ("5",), 8),
        CitySpec("Lille", None, ("59000", "59800"), ("3",), 7),
        CitySpec("Bordeaux", None, ("33000", "33100", "33200", "33300", "33800"), ("5",), 7),
        CitySpec("Nantes", None, ("44000", "44100", "44200", "44300"), ("2",), 6),
        CitySpec("Strasbourg", None, ("67000", "67100", "67200"), ("3",), 6),
        CitySpec("Nice", None, ("06000", "06100", "06200", "06300"), ("4",), 6),
        CitySpec("Rennes", None, ("35000", "35200", "35700"), ("2",), 6),
    ),
    streets=(
        "rue de la République",
        "avenue Jean-Jaurès",
        "boulevard Voltaire",
        "rue Victor-Hugo",
        "place de l'Église",
        "rue du Général-Leclerc",
        "allée des Tilleuls",
        "chemin des Écoliers",
        "rue Émile-Zola",
        "impasse des Rosiers",
        "quai Saint-Vincent",
        "cours Lafayette",
        "rue Pasteur",
        "avenue de la Gare",
        "rue des Lilas",
        "boulevard Gambetta",
        "rue de l'Hôtel-de-Ville",
    ),
    address_formats=(
        "{n} {street}",
        "{n} {street}",
        "{n} bis {street}",
        "Résidence {lot}, bât. {block}, {n} {street}",
    ),
    names=FR_NAMES,
    foreign_names=DZ_NAMES,
    foreign_share=0.1,
    arabic_share=0.6,  # of the Maghrebi-origin names only
    business_share=0.02,
    languages=(("fr", 95), ("en", 3), ("ar", 2)),
    email_domains=("gmail.com", "orange.fr", "free.fr", "laposte.net", "sfr.fr", "outlook.fr"),
    email_share=0.85,
    calling_code="+33",
    mobile_ranges=(
        NumberRange("+336", 8),
        NumberRange("+3375", 7),
        NumberRange("+3376", 7),
        NumberRange("+3377", 7),
        NumberRange("+3378", 7),
    ),
    fixed_digits=8,
    phone_counts=(5, 70, 25),
    offers=(
        OfferSpec("FIBRE-1G", "Fibre 1 Gb/s", None, ServiceType.FTTH, 3499, 40),
        OfferSpec(
            "FIBRE-2G-TV",
            "Fibre 2 Gb/s + TV",
            None,
            ServiceType.FTTH,
            4499,
            40,
            usage_max_minor=1499,
            usage_share=0.1,
        ),
        OfferSpec("FIBRE-8G", "Fibre 8 Gb/s Ultra", None, ServiceType.FTTH, 5999, 20),
        OfferSpec("ADSL-ESS", "ADSL/VDSL Essentiel", None, ServiceType.ADSL, 2999, 100),
        OfferSpec(
            "MOB-5G",
            "Forfait mobile 5 Go",
            None,
            ServiceType.MOBILE,
            499,
            25,
            usage_max_minor=1500,
            usage_share=0.25,
        ),
        OfferSpec(
            "MOB-100G",
            "Forfait mobile 100 Go",
            None,
            ServiceType.MOBILE,
            1499,
            45,
            usage_max_minor=1500,
            usage_share=0.15,
        ),
        OfferSpec(
            "MOB-250G",
            "Forfait 5G 250 Go",
            None,
            ServiceType.MOBILE,
            2499,
            30,
            usage_max_minor=2500,
            usage_share=0.1,
        ),
    ),
    products=(
        ProductSpec("MOB10", "Recharge mobile 10 €", None, ServiceType.MOBILE, 1000),
        ProductSpec("MOB20", "Recharge mobile 20 €", None, ServiceType.MOBILE, 2000),
        ProductSpec("MOB30", "Recharge mobile 30 €", None, ServiceType.MOBILE, 3000),
        ProductSpec("MOB50", "Recharge mobile 50 €", None, ServiceType.MOBILE, 5000),
    ),
    bundles=(
        (28, (ServiceType.FTTH,)),
        (25, (ServiceType.FTTH, ServiceType.MOBILE)),
        (9, (ServiceType.FTTH, ServiceType.MOBILE, ServiceType.MOBILE)),
        (8, (ServiceType.ADSL,)),
        (5, (ServiceType.ADSL, ServiceType.MOBILE)),
        (18, (ServiceType.MOBILE,)),
        (7, (ServiceType.MOBILE, ServiceType.MOBILE)),
    ),
    billing_months=1,
    due_days=(20, 25),
    late_fee_percent=0,
    late_fee_min_minor=750,
    account_base=20_000_000,
    account_width=8,
    contract_prefix="CL",
    meter_prefixes={},
    tender_weights=(
        (TenderKind.CASH, 35),
        (TenderKind.CHEQUE, 15),
        (TenderKind.CARD, 45),
        (TenderKind.POSTAL_TRANSFER, 5),
    ),
    banks=(
        "BNP Paribas",
        "Société Générale",
        "Crédit Agricole",
        "La Banque Postale",
        "Crédit Mutuel",
        "LCL",
        "Caisse d'Épargne",
    ),
    transfer_prefix="VIR",
    cash_unit_minor=1000,
    partial_unit_minor=500,
    opening_float="150",
    counter_label="Guichet",
    kiosk_label="Borne",
)

PROFILES: dict[str, Profile] = {profile.key: profile for profile in (DZ, TN, FR)}

# Lines of these services carry a telephone number; the others have a meter.
LINE_SERVICES = frozenset(
    {ServiceType.FIXED_LINE, ServiceType.ADSL, ServiceType.FTTH, ServiceType.LTE}
)
MOBILE_SERVICES = frozenset({ServiceType.MOBILE})
