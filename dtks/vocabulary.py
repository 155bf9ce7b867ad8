"""The ministry's vocabulary: column names and answer codes of DTKS and DTSEN extracts.

An extract arrives as the ministry writes it: PBDT/DTKS column names (``NoKK``, ``JnsKel``,
``Hub_KRT``, ``Sta_bangunan``…) and numbered answers (``1`` = Laki-laki, ``3`` = Anak,
``9`` = Tanah…). The importer reads those as they are, beside SILAKSO's own words, so nobody
rewrites a file of a million rows by hand before importing it. The numbered answers follow the
PBDT 2015 questionnaire that DTKS (SIKS-NG) keeps using, and for occupations the Dukcapil job
list (``jenis pekerjaan``) that SIKS-NG exports; the tables are documented beside the
project's words in docs/import-format.md. A code that means different things in two
questionnaires is given the DTKS meaning; a file in another code book is refused row by row
("not in the list"), never read with a guessed meaning.
"""

#: Official column names (lower case, spaces and punctuation as ``_``), per SILAKSO column.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "dtks_id": ("idbdt", "id_bdt", "id_ruta", "idruta", "id_keluarga"),
    "village_code": ("kode_desa_kemendagri", "kd_desa_kemendagri", "kode_kemendagri"),
    "floor_material": ("jenis_lantai",),
    "wall_material": ("jenis_dinding",),
    "roof_material": ("jenis_atap",),
    "water_source": ("sumber_airminum", "sumber_air_minum"),
    "toilet": ("fasbab", "fasilitas_bab"),
    "lighting": ("sumber_penerangan",),
    "cooking_fuel": ("bb_masak", "bahan_bakar_memasak"),
    "house_ownership": ("sta_bangunan", "status_bangunan"),
    "land_ownership": ("sta_lahan",),
    "has_gas_cylinder": ("ada_tabung_gas",),
    "has_refrigerator": ("ada_lemari_es",),
    "has_air_conditioner": ("ada_ac",),
    "has_television": ("ada_tv",),
    "has_computer": ("ada_laptop", "ada_komputer"),
    "has_smartphone": ("ada_telepon", "ada_hp"),
    "has_gold": ("ada_emas",),
    "has_motorcycle": ("ada_motor",),
    "has_car": ("ada_mobil",),
    "has_boat": ("ada_perahu",),
    "desil": ("status_kesejahteraan", "desil_kesejahteraan"),
    "kk_number": ("nokk",),
    "birth_place": ("tmplahir", "tmp_lahir"),
    "birth_date": ("tgllahir",),
    "sex": ("jnskel", "jns_kel"),
    "relation_to_head": ("hubkel", "hub_kel", "hubungan_keluarga", "hubungan_dengan_krt"),
    "marital_status": ("sta_kawin",),
    "education": ("ijazah_tertinggi",),
    "occupation": ("jenis_pekerjaan",),
    "disability": ("jenis_cacat", "jenis_disabilitas"),
    "status": ("keterangan_status", "status_keberadaan"),
}

#: Columns read only to complete another one: PBDT gives ``Daya`` (installed power) apart
#: from ``Sumber_penerangan``, SILAKSO keeps both in ``lighting``.
HELPER_COLUMNS: dict[str, tuple[str, ...]] = {
    "lighting_power": ("daya", "daya_listrik", "daya_terpasang"),
}

_EDUCATION = {
    # Ijazah tertinggi (highest certificate)
    "0": "none",
    "1": "primary",
    "2": "junior",
    "3": "senior",
    "4": "diploma",
    "5": "bachelor",
    "6": "bachelor",
    "tidak punya ijazah": "none",
    "tidak/belum sekolah": "none",
    "belum sekolah": "none",
    "tidak sekolah": "none",
    "sd": "primary",
    "sd/sederajat": "primary",
    "smp": "junior",
    "smp/sederajat": "junior",
    "sma": "senior",
    "smk": "senior",
    "sma/sederajat": "senior",
    "d1": "diploma",
    "d2": "diploma",
    "d3": "diploma",
    "d4": "bachelor",
    "s1": "bachelor",
    "s2": "bachelor",
    "s3": "bachelor",
}
_OCCUPATION = {
    # Dukcapil's job list (jenis pekerjaan), as SIKS-NG exports it
    "1": "none",  # belum/tidak bekerja
    "2": "housekeeping",  # mengurus rumah tangga
    "3": "school",  # pelajar/mahasiswa
    "4": "none",  # pensiunan
    "5": "civil_servant",  # PNS
    "6": "civil_servant",  # TNI
    "7": "civil_servant",  # Kepolisian RI
    "8": "trader",  # perdagangan
    "9": "farmer",  # petani/pekebun
    "10": "farmer",  # peternak
    "11": "fisher",  # nelayan/perikanan
    "12": "other",  # industri
    "13": "labourer",  # konstruksi
    "14": "driver",  # transportasi
    "15": "private_employee",  # karyawan swasta
    "16": "private_employee",  # karyawan BUMN
    "17": "private_employee",  # karyawan BUMD
    "18": "private_employee",  # karyawan honorer
    "19": "labourer",  # buruh harian lepas
    "20": "labourer",  # buruh tani/perkebunan
    "21": "labourer",  # buruh nelayan/perikanan
    "22": "labourer",  # buruh peternakan
    "23": "labourer",  # pembantu rumah tangga
    "88": "entrepreneur",  # wiraswasta
    "89": "other",  # lainnya
    "belum/tidak bekerja": "none",
    "tidak bekerja": "none",
    "mengurus rumah tangga": "housekeeping",
    "pelajar/mahasiswa": "school",
    "pelajar": "school",
    "pensiunan": "none",
    "pns": "civil_servant",
    "tni": "civil_servant",
    "polri": "civil_servant",
    "pedagang": "trader",
    "perdagangan": "trader",
    "petani": "farmer",
    "petani/pekebun": "farmer",
    "nelayan": "fisher",
    "nelayan/perikanan": "fisher",
    "buruh harian lepas": "labourer",
    "buruh tani/perkebunan": "labourer",
    "sopir": "driver",
    "karyawan swasta": "private_employee",
    "wiraswasta": "entrepreneur",
    "lainnya": "other",
}

#: Answer codes and words per column, lower case; anything else must be SILAKSO's own word.
CODES: dict[str, dict[str, str]] = {
    "sex": {
        "1": "male",
        "2": "female",
        "l": "male",
        "lk": "male",
        "laki-laki": "male",
        "laki laki": "male",
        "m": "male",
        "p": "female",
        "pr": "female",
        "perempuan": "female",
        "f": "female",
    },
    "relation_to_head": {
        # Hubungan dengan kepala rumah tangga / keluarga (PBDT)
        "1": "head",
        "2": "spouse",
        "3": "child",
        "4": "child_in_law",
        "5": "grandchild",
        "6": "parent",  # orang tua/mertua: one code for both
        "7": "other",  # pembantu rumah tangga
        "8": "other",  # lainnya
        "kepala": "head",
        "krt": "head",
        "kepala keluarga": "head",
        "kepala rumah tangga": "head",
        "istri": "spouse",
        "suami": "spouse",
        "istri/suami": "spouse",
        "anak": "child",
        "menantu": "child_in_law",
        "cucu": "grandchild",
        "orang tua": "parent",
        "orang tua/mertua": "parent",
        "mertua": "parent_in_law",
        "famili lain": "other_relative",
        "pembantu": "other",
        "lainnya": "other",
    },
    "marital_status": {
        "1": "single",
        "2": "married",
        "3": "divorced",
        "4": "widowed",
        "belum kawin": "single",
        "kawin": "married",
        "cerai hidup": "divorced",
        "cerai mati": "widowed",
    },
    "education": _EDUCATION,
    "head_education": _EDUCATION,
    "occupation": _OCCUPATION,
    "head_occupation": _OCCUPATION,
    "disability": {
        "0": "none",
        "1": "physical",  # tuna daksa / cacat tubuh
        "2": "visual",  # tuna netra
        "3": "hearing",  # tuna rungu
        "4": "hearing",  # tuna wicara
        "5": "hearing",  # tuna rungu dan wicara
        "6": "multiple",
        "7": "multiple",
        "8": "multiple",
        "9": "multiple",
        "10": "intellectual",  # cacat mental retardasi
        "11": "mental",  # mantan penderita gangguan jiwa
        "12": "multiple",  # cacat fisik dan mental
        "tidak": "none",
        "tidak cacat": "none",
        "tuna daksa": "physical",
        "tuna netra": "visual",
        "tuna rungu": "hearing",
        "tuna wicara": "hearing",
    },
    "status": {
        "hidup": "alive",
        "ada": "alive",
        "meninggal": "deceased",
        "meninggal dunia": "deceased",
        "pindah": "moved",
        "pindah keluar": "moved",
    },
    "floor_material": {
        "1": "marble",
        "2": "ceramic",
        "3": "vinyl",
        "4": "tile",
        "5": "wood",  # kayu/papan kualitas tinggi
        "6": "cement",  # sementara/bata merah
        "7": "bamboo",
        "8": "wood",  # kayu/papan kualitas rendah
        "9": "earth",
        "10": "other",
        "keramik": "ceramic",
        "semen": "cement",
        "tanah": "earth",
        "kayu": "wood",
        "bambu": "bamboo",
    },
    "wall_material": {
        "1": "masonry",
        "2": "plastered_bamboo",
        "3": "wood",
        "4": "woven_bamboo",
        "5": "log",
        "6": "bamboo",
        "7": "other",
        "tembok": "masonry",
        "kayu": "wood",
        "bambu": "bamboo",
        "anyaman bambu": "woven_bamboo",
    },
    "roof_material": {
        "1": "concrete",
        "2": "clay_tile",  # genteng keramik
        "3": "zinc",  # genteng metal
        "4": "clay_tile",  # genteng tanah liat
        "5": "asbestos",
        "6": "zinc",
        "7": "wood_shingle",
        "8": "bamboo",
        "9": "thatch",
        "10": "other",
        "beton": "concrete",
        "genteng": "clay_tile",
        "asbes": "asbestos",
        "seng": "zinc",
        "sirap": "wood_shingle",
        "bambu": "bamboo",
        "jerami": "thatch",
        "rumbia": "thatch",
    },
    "water_source": {
        "1": "bottled",  # air kemasan bermerk
        "2": "bottled",  # air isi ulang
        "3": "piped_metered",
        "4": "piped_retail",
        "5": "drilled_well",
        "6": "protected_well",
        "7": "unprotected_well",
        "8": "protected_spring",
        "9": "unprotected_spring",
        "10": "surface",
        "11": "rain",
        "12": "other",
    },
    "toilet": {
        "1": "private",
        "2": "shared",
        "3": "public",
        "4": "none",
        "sendiri": "private",
        "bersama": "shared",
        "umum": "public",
        "tidak ada": "none",
    },
    "lighting": {
        # Sumber penerangan: 1 = PLN needs the Daya column (see LIGHTING_POWER)
        "2": "non_pln",
        "3": "none",
        "listrik non pln": "non_pln",
        "bukan listrik": "none",
    },
    "cooking_fuel": {
        "1": "electricity",
        "2": "lpg_large",  # gas > 3 kg
        "3": "lpg_3kg",
        "4": "biogas",  # gas kota / biogas
        "5": "kerosene",
        "6": "briquette",
        "7": "charcoal",
        "8": "firewood",
        "9": "none",  # tidak memasak di rumah
        "listrik": "electricity",
        "elpiji 3 kg": "lpg_3kg",
        "minyak tanah": "kerosene",
        "arang": "charcoal",
        "kayu bakar": "firewood",
    },
    "house_ownership": {
        "1": "own",
        "2": "contract",  # kontrak/sewa
        "3": "rent_free",
        "4": "official",  # dinas
        "5": "other",
        "milik sendiri": "own",
        "kontrak": "contract",
        "sewa": "rent",
        "bebas sewa": "rent_free",
        "dinas": "official",
    },
    "land_ownership": {
        "1": "own",
        "2": "others",
        "3": "state",
        "4": "other",
        "milik sendiri": "own",
        "milik orang lain": "others",
        "tanah negara": "state",
    },
}

#: ``Sumber_penerangan`` = 1 (PLN) with ``Daya``: installed power in SILAKSO's lighting words.
LIGHTING_PLN = ("1", "listrik pln", "pln")
LIGHTING_POWER = {
    "1": "pln_450",
    "2": "pln_900",
    "3": "pln_1300",
    "4": "pln_2200",
    "5": "pln_2200",  # more than 2,200 VA
    "6": "pln_no_meter",
    "450": "pln_450",
    "900": "pln_900",
    "1300": "pln_1300",
    "2200": "pln_2200",
}

#: Yes/no answers: BPS questionnaires write 1 = ya, 2 = tidak.
TRUE_WORDS = ("1", "y", "ya", "ada", "true", "t", "yes")
FALSE_WORDS = ("0", "2", "n", "tidak", "tidak ada", "false", "f", "no")
