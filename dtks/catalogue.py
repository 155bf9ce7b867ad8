"""The national social-aid programs every installation starts with (`manage.py load_programs`).

Descriptions are short and plain, in Bahasa Indonesia, because residents read them when they
apply. Regional programs (APBD, CSR) are added by the system administrator.
"""

NATIONAL_PROGRAMS = [
    {
        "code": "pkh",
        "name": "PKH (Program Keluarga Harapan)",
        "description": "Bantuan uang tunai bersyarat untuk keluarga miskin yang punya ibu hamil, "
        "anak usia dini, anak sekolah, lansia, atau penyandang disabilitas berat.",
        "eligibility": "Terdaftar di DTSEN desil 1–4 dan punya anggota keluarga ibu hamil, balita, "
        "anak sekolah, lansia 70 tahun ke atas, atau penyandang disabilitas berat.",
        "required_documents": "KTP\nKartu Keluarga (KK)\nAkta kelahiran anak atau surat keterangan sekolah",
        "provider": "Kementerian Sosial",
        "funding_source": "apbn",
        "aid_type": "cash",
        "max_desil": 4,
    },
    {
        "code": "bpnt",
        "name": "BPNT / Program Sembako",
        "description": "Bantuan pangan setiap bulan yang dibelanjakan di e-warong.",
        "eligibility": "Keluarga terdaftar di DTSEN desil 1–4.",
        "required_documents": "KTP\nKartu Keluarga (KK)",
        "provider": "Kementerian Sosial",
        "funding_source": "apbn",
        "aid_type": "food",
        "max_desil": 4,
    },
    {
        "code": "pip",
        "name": "PIP (Program Indonesia Pintar)",
        "description": "Bantuan biaya sekolah untuk anak usia 6–21 tahun dari keluarga miskin.",
        "eligibility": "Anak sekolah dari keluarga desil 1–4 atau pemegang KIP.",
        "required_documents": "KTP orang tua\nKartu Keluarga (KK)\nSurat keterangan dari sekolah",
        "provider": "Kementerian Pendidikan",
        "funding_source": "apbn",
        "aid_type": "education",
        "target": "individual",
        "max_desil": 4,
    },
    {
        "code": "pbi-jk",
        "name": "PBI-JK (KIS iuran dibayar pemerintah)",
        "description": "Iuran BPJS Kesehatan dibayar pemerintah, berobat gratis di fasilitas kesehatan.",
        "eligibility": "Warga terdaftar di DTSEN desil 1–5.",
        "required_documents": "KTP\nKartu Keluarga (KK)",
        "provider": "BPJS Kesehatan",
        "funding_source": "apbn",
        "aid_type": "health",
        "target": "individual",
        "max_desil": 5,
    },
    {
        "code": "blt",
        "name": "BLT (Bantuan Langsung Tunai)",
        "description": "Bantuan uang tunai untuk keluarga miskin yang terdampak kenaikan harga.",
        "eligibility": "Keluarga terdaftar di DTSEN desil 1–4.",
        "required_documents": "KTP\nKartu Keluarga (KK)",
        "provider": "Kementerian Sosial",
        "funding_source": "apbn",
        "aid_type": "cash",
        "max_desil": 4,
    },
    {
        "code": "rs-rtlh",
        "name": "RS-RTLH (Bedah Rumah)",
        "description": "Perbaikan rumah tidak layak huni: lantai, dinding, atap, dan jamban.",
        "eligibility": "Rumah milik sendiri di atas tanah sendiri, kondisi tidak layak huni, "
        "keluarga desil 1–3.",
        "required_documents": "KTP\nKartu Keluarga (KK)\nBukti kepemilikan tanah\nFoto rumah",
        "provider": "Dinas Perumahan dan Permukiman",
        "funding_source": "apbn",
        "aid_type": "housing",
        "max_desil": 3,
    },
    {
        "code": "kube",
        "name": "KUBE (Kelompok Usaha Bersama)",
        "description": "Modal usaha untuk kelompok keluarga miskin yang berusaha bersama.",
        "eligibility": "Anggota kelompok usaha dari keluarga desil 1–4, usia produktif.",
        "required_documents": "KTP\nKartu Keluarga (KK)\nSurat keterangan kelompok dari desa",
        "provider": "Kementerian Sosial",
        "funding_source": "apbn",
        "aid_type": "business",
        "max_desil": 4,
    },
    {
        "code": "atensi",
        "name": "ATENSI (Asistensi Rehabilitasi Sosial)",
        "description": "Pendampingan dan bantuan untuk anak, lansia, penyandang disabilitas, dan "
        "korban bencana atau kekerasan.",
        "eligibility": "Warga yang membutuhkan rehabilitasi sosial, dinilai oleh pekerja sosial.",
        "required_documents": "KTP atau Kartu Keluarga (KK)\nSurat keterangan dari desa",
        "provider": "Kementerian Sosial",
        "funding_source": "apbn",
        "aid_type": "rehabilitation",
        "target": "individual",
        "max_desil": None,
    },
]
