"""The demo slice of Pemerintah Provinsi Riau.

Office coordinates are the public addresses of the offices in Pekanbaru
(placed by hand on a map, good to some tens of metres: check them on site
before relying on a geofence). The UPT at Teluk Kuantan lies south of the
equator, which crosses Riau.
"""

from __future__ import annotations

INSTANSI = {"code": "PEMPROV-RIAU", "name": "Pemerintah Provinsi Riau"}

# code, name, bidang names, workplace (name, lat, lon, radius_m, address)
OPDS = [
    (
        "BKD",
        "Badan Kepegawaian Daerah",
        [
            "Bidang Mutasi dan Promosi",
            "Bidang Pengembangan Kompetensi",
            "Bidang Penilaian Kinerja dan Penghargaan",
        ],
        (
            "Kantor BKD Provinsi Riau",
            0.507930,
            101.449550,
            80,
            "Jl. Jend. Sudirman No. 388, Pekanbaru",
        ),
    ),
    (
        "DINKES",
        "Dinas Kesehatan",
        [
            "Bidang Pelayanan Kesehatan",
            "Bidang Pencegahan dan Pengendalian Penyakit",
            "Bidang Sumber Daya Kesehatan",
        ],
        (
            "Kantor Dinas Kesehatan Provinsi Riau",
            0.509920,
            101.451540,
            80,
            "Jl. Cut Nyak Dien No. 3, Pekanbaru",
        ),
    ),
    (
        "DISDIK",
        "Dinas Pendidikan",
        [
            "Bidang Pembinaan SMA",
            "Bidang Pembinaan SMK",
            "Bidang Guru dan Tenaga Kependidikan",
        ],
        (
            "Kantor Dinas Pendidikan Provinsi Riau",
            0.523140,
            101.447560,
            100,
            "Jl. Ronggowarsito No. 1, Pekanbaru",
        ),
    ),
    (
        "INSPEKTORAT",
        "Inspektorat Daerah",
        ["Inspektur Pembantu Wilayah I"],
        (
            "Kantor Inspektorat Provinsi Riau",
            0.507060,
            101.447790,
            60,
            "Jl. Jend. Sudirman No. 460, Pekanbaru",
        ),
    ),
]

# A UPT of Dinas Pendidikan outside Pekanbaru, south of the equator.
UPT = (
    "DISDIK-CABDIN-KUANSING",
    "Cabang Dinas Pendidikan Wilayah Kuantan Singingi",
    "DISDIK",
    (
        "Cabang Dinas Pendidikan Teluk Kuantan",
        -0.528060,
        101.562030,
        60,
        "Jl. Perintis Kemerdekaan, Teluk Kuantan",
    ),
)

GIVEN_NAMES = [
    "Ahmad",
    "Siti",
    "Budi",
    "Dewi",
    "Rizki",
    "Nurul",
    "Hendra",
    "Fitri",
    "Agus",
    "Rina",
    "Doni",
    "Yuliana",
    "Fajar",
    "Indah",
    "Rahmat",
    "Wulan",
    "Syahrul",
    "Mega",
    "Irwan",
    "Putri",
    "Zulkifli",
    "Ratna",
    "Teguh",
    "Aisyah",
    "Andi",
    "Lestari",
    "Hadi",
    "Novita",
    "Yusuf",
    "Sari",
]
FAMILY_NAMES = [
    "Saputra",
    "Wahyuni",
    "Hidayat",
    "Lubis",
    "Siregar",
    "Harahap",
    "Nasution",
    "Pratama",
    "Rahmawati",
    "Syafitri",
    "Azhari",
    "Effendi",
    "Kurniawan",
    "Marpaung",
    "Hasibuan",
    "Fauzi",
    "Permata",
    "Gunawan",
    "Yulianti",
    "Ramadhan",
]
