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

# SKP of the current year, per unit: what its head ("kepala") and its staff
# ("staf") plan. Each RHK is (text, indicators as (aspect, text, target,
# unit), rencana aksi for the four quarters, the monthly target of each
# rencana aksi). Every month gets the rencana aksi of its quarter.
RhkSpec = tuple[str, list[tuple[str, str, str, str]], list[str], str]

SKP_PLANS: dict[str, dict[str, list[RhkSpec]]] = {
    "BKD-B1": {
        "kepala": [
            (
                "Terlaksananya mutasi dan promosi ASN sesuai sistem merit",
                [
                    (
                        "kuantitas",
                        "Jumlah SK mutasi dan promosi yang terbit",
                        "400",
                        "SK",
                    ),
                    ("waktu", "Rata-rata waktu penyelesaian usul mutasi", "14", "hari"),
                ],
                [
                    "Menginventarisasi usul mutasi dari perangkat daerah",
                    "Memimpin rapat pertimbangan jabatan dan kepangkatan",
                    "Mengendalikan penerbitan SK mutasi dan promosi",
                    "Menyusun laporan pelaksanaan mutasi tahunan",
                ],
                "1 laporan",
            ),
            (
                "Tersusunnya rencana suksesi jabatan perangkat daerah",
                [
                    (
                        "kuantitas",
                        "Jumlah perangkat daerah dengan rencana suksesi",
                        "12",
                        "perangkat daerah",
                    ),
                    (
                        "kualitas",
                        "Jabatan pimpinan tinggi yang diisi melalui seleksi terbuka",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Memetakan talenta ASN per rumpun jabatan",
                    "Menyusun kelompok rencana suksesi",
                    "Membahas rencana suksesi dengan perangkat daerah",
                    "Menetapkan dokumen rencana suksesi",
                ],
                "1 dokumen",
            ),
        ],
        "staf": [
            (
                "Terverifikasinya berkas usul mutasi dan kenaikan pangkat ASN",
                [
                    (
                        "kuantitas",
                        "Jumlah berkas usul yang diverifikasi",
                        "600",
                        "berkas",
                    ),
                    (
                        "kualitas",
                        "Berkas yang diterima BKN tanpa pengembalian",
                        "95",
                        "persen",
                    ),
                ],
                [
                    "Memeriksa kelengkapan berkas usul kenaikan pangkat periode April",
                    "Memverifikasi berkas usul mutasi antar perangkat daerah",
                    "Memeriksa berkas usul kenaikan pangkat periode Oktober",
                    "Merekapitulasi berkas usul yang telah diproses",
                ],
                "50 berkas",
            ),
            (
                "Termutakhirkannya data kepegawaian pada SIASN",
                [
                    ("kuantitas", "Jumlah data ASN yang dimutakhirkan", "1200", "data"),
                    (
                        "waktu",
                        "Data mutasi dimutakhirkan setelah SK terbit",
                        "3",
                        "hari kerja",
                    ),
                ],
                [
                    "Memutakhirkan riwayat jabatan pada SIASN",
                    "Memutakhirkan riwayat pangkat dan golongan",
                    "Memadankan data pendidikan ASN",
                    "Menyusun laporan pemutakhiran data",
                ],
                "100 data",
            ),
        ],
    },
    "BKD-B2": {
        "kepala": [
            (
                "Meningkatnya kompetensi ASN Pemerintah Provinsi Riau",
                [
                    (
                        "kuantitas",
                        "ASN yang memenuhi 20 jam pelajaran pengembangan kompetensi",
                        "80",
                        "persen",
                    ),
                    ("kualitas", "Indeks profesionalitas ASN", "75", "indeks"),
                ],
                [
                    "Menetapkan kebutuhan pengembangan kompetensi",
                    "Mengendalikan pelaksanaan pelatihan klasikal dan nonklasikal",
                    "Mengevaluasi capaian jam pelajaran per perangkat daerah",
                    "Menyusun laporan pengembangan kompetensi tahunan",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya uji kompetensi jabatan",
                [
                    (
                        "kuantitas",
                        "Jumlah ASN yang mengikuti uji kompetensi",
                        "300",
                        "orang",
                    ),
                    (
                        "waktu",
                        "Hasil uji kompetensi diserahkan setelah pelaksanaan",
                        "10",
                        "hari kerja",
                    ),
                ],
                [
                    "Menyusun jadwal uji kompetensi",
                    "Mengoordinasikan asesor uji kompetensi",
                    "Mengawasi pelaksanaan uji kompetensi",
                    "Menetapkan hasil uji kompetensi",
                ],
                "1 kegiatan",
            ),
        ],
        "staf": [
            (
                "Terfasilitasinya pelatihan dan pengembangan kompetensi ASN",
                [
                    (
                        "kuantitas",
                        "Jumlah peserta pelatihan yang difasilitasi",
                        "240",
                        "orang",
                    ),
                    (
                        "kualitas",
                        "Peserta yang menilai penyelenggaraan baik",
                        "90",
                        "persen",
                    ),
                ],
                [
                    "Menyiapkan administrasi peserta pelatihan",
                    "Memfasilitasi pelaksanaan pelatihan kepemimpinan",
                    "Memfasilitasi pelatihan teknis dan fungsional",
                    "Merekapitulasi sertifikat dan jam pelajaran peserta",
                ],
                "20 peserta",
            ),
            (
                "Tersusunnya analisis kebutuhan pengembangan kompetensi",
                [
                    (
                        "kuantitas",
                        "Jumlah jabatan yang dianalisis kesenjangan kompetensinya",
                        "150",
                        "jabatan",
                    ),
                    (
                        "waktu",
                        "Dokumen analisis selesai pada triwulan",
                        "1",
                        "triwulan",
                    ),
                ],
                [
                    "Mengumpulkan data kesenjangan kompetensi",
                    "Mengolah hasil penilaian kompetensi",
                    "Menyusun rekomendasi pengembangan kompetensi",
                    "Memutakhirkan rencana pengembangan tahun berikutnya",
                ],
                "1 dokumen",
            ),
        ],
    },
    "BKD-B3": {
        "kepala": [
            (
                "Terlaksananya penilaian kinerja ASN yang objektif dan tepat waktu",
                [
                    (
                        "kuantitas",
                        "ASN dengan SKP disetujui tepat waktu",
                        "95",
                        "persen",
                    ),
                    (
                        "kualitas",
                        "Perangkat daerah yang melaksanakan kalibrasi kinerja",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Menetapkan jadwal penyusunan SKP",
                    "Mengendalikan pemantauan kinerja triwulanan",
                    "Memimpin kalibrasi hasil penilaian kinerja",
                    "Menetapkan predikat kinerja ASN",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya pemberian penghargaan dan tanda kehormatan ASN",
                [
                    (
                        "kuantitas",
                        "Jumlah usulan Satyalencana Karya Satya yang diproses",
                        "250",
                        "usulan",
                    ),
                    ("waktu", "Usulan dikirim sebelum batas waktu", "100", "persen"),
                ],
                [
                    "Menginventarisasi ASN yang memenuhi syarat penghargaan",
                    "Memverifikasi usulan tanda kehormatan",
                    "Menyampaikan usulan ke Sekretariat Militer Presiden",
                    "Menyerahkan penghargaan kepada ASN",
                ],
                "1 kegiatan",
            ),
        ],
        "staf": [
            (
                "Terpantaunya penyusunan dan realisasi SKP perangkat daerah",
                [
                    ("kuantitas", "Jumlah SKP yang diverifikasi", "500", "SKP"),
                    (
                        "kualitas",
                        "SKP yang selaras dengan perjanjian kinerja",
                        "90",
                        "persen",
                    ),
                ],
                [
                    "Memverifikasi keselarasan SKP dengan perjanjian kinerja",
                    "Memantau realisasi SKP triwulan kedua",
                    "Memantau realisasi SKP triwulan ketiga",
                    "Merekapitulasi predikat kinerja ASN",
                ],
                "40 SKP",
            ),
            (
                "Terprosesnya usulan tanda kehormatan dan penghargaan ASN",
                [
                    (
                        "kuantitas",
                        "Jumlah berkas usulan penghargaan yang diverifikasi",
                        "250",
                        "berkas",
                    ),
                    (
                        "waktu",
                        "Verifikasi berkas selesai setelah diterima",
                        "5",
                        "hari kerja",
                    ),
                ],
                [
                    "Mendata ASN dengan masa kerja 10, 20 dan 30 tahun",
                    "Memverifikasi bebas hukuman disiplin",
                    "Menyusun daftar nominatif usulan",
                    "Menyiapkan penyerahan piagam penghargaan",
                ],
                "20 berkas",
            ),
        ],
    },
    "DINKES-B1": {
        "kepala": [
            (
                "Meningkatnya mutu pelayanan kesehatan rujukan dan primer",
                [
                    (
                        "kuantitas",
                        "Puskesmas terakreditasi paripurna",
                        "40",
                        "puskesmas",
                    ),
                    (
                        "kualitas",
                        "Rumah sakit yang memenuhi standar pelayanan minimal",
                        "90",
                        "persen",
                    ),
                ],
                [
                    "Menetapkan sasaran pendampingan akreditasi",
                    "Mengendalikan pembinaan fasilitas kesehatan",
                    "Mengevaluasi capaian standar pelayanan minimal",
                    "Menyusun laporan mutu pelayanan kesehatan",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya pembinaan jaminan kesehatan daerah",
                [
                    (
                        "kuantitas",
                        "Penduduk terdaftar sebagai peserta JKN",
                        "98",
                        "persen",
                    ),
                    ("waktu", "Rekonsiliasi data peserta per triwulan", "4", "kali"),
                ],
                [
                    "Memadankan data penerima bantuan iuran",
                    "Mengoordinasikan pendaftaran peserta JKN",
                    "Memantau klaim pelayanan kesehatan",
                    "Mengevaluasi cakupan kepesertaan",
                ],
                "1 rapat",
            ),
        ],
        "staf": [
            (
                "Terlaksananya pendampingan akreditasi puskesmas",
                [
                    (
                        "kuantitas",
                        "Jumlah puskesmas yang didampingi",
                        "12",
                        "puskesmas",
                    ),
                    (
                        "kualitas",
                        "Puskesmas dampingan yang lulus akreditasi",
                        "90",
                        "persen",
                    ),
                ],
                [
                    "Melakukan penilaian mandiri bersama puskesmas",
                    "Mendampingi penyusunan dokumen akreditasi",
                    "Melaksanakan survei simulasi akreditasi",
                    "Menyusun laporan hasil pendampingan",
                ],
                "1 puskesmas",
            ),
            (
                "Terverifikasinya data pelayanan kesehatan kabupaten/kota",
                [
                    (
                        "kuantitas",
                        "Jumlah laporan pelayanan yang diverifikasi",
                        "144",
                        "laporan",
                    ),
                    (
                        "waktu",
                        "Verifikasi selesai setelah laporan diterima",
                        "7",
                        "hari",
                    ),
                ],
                [
                    "Menghimpun laporan bulanan kabupaten/kota",
                    "Memverifikasi data kunjungan dan rujukan",
                    "Mengolah indikator standar pelayanan minimal",
                    "Menyajikan profil pelayanan kesehatan",
                ],
                "12 laporan",
            ),
        ],
    },
    "DINKES-B2": {
        "kepala": [
            (
                "Menurunnya angka kesakitan penyakit menular",
                [
                    ("kuantitas", "Cakupan imunisasi dasar lengkap", "95", "persen"),
                    (
                        "kualitas",
                        "Keberhasilan pengobatan tuberkulosis",
                        "90",
                        "persen",
                    ),
                ],
                [
                    "Menetapkan sasaran imunisasi kabupaten/kota",
                    "Mengendalikan pelacakan kasus tuberkulosis",
                    "Mengevaluasi kewaspadaan dini kejadian luar biasa",
                    "Menyusun laporan pengendalian penyakit",
                ],
                "1 laporan",
            ),
            (
                "Terkendalinya faktor risiko penyakit tidak menular",
                [
                    (
                        "kuantitas",
                        "Penduduk usia 15 tahun ke atas yang diskrining",
                        "70",
                        "persen",
                    ),
                    ("waktu", "Laporan skrining diterima per bulan", "12", "laporan"),
                ],
                [
                    "Mengoordinasikan posbindu penyakit tidak menular",
                    "Memantau skrining hipertensi dan diabetes",
                    "Mengevaluasi rujukan kasus berisiko",
                    "Menyusun rekomendasi pengendalian faktor risiko",
                ],
                "1 rapat",
            ),
        ],
        "staf": [
            (
                "Terlaksananya surveilans penyakit potensial wabah",
                [
                    (
                        "kuantitas",
                        "Jumlah laporan mingguan SKDR yang dianalisis",
                        "52",
                        "laporan",
                    ),
                    ("waktu", "Sinyal kewaspadaan diverifikasi", "1", "hari"),
                ],
                [
                    "Menganalisis laporan mingguan SKDR",
                    "Memverifikasi sinyal kewaspadaan dini",
                    "Melaksanakan penyelidikan epidemiologi",
                    "Menyusun buletin surveilans",
                ],
                "4 laporan",
            ),
            (
                "Terpantaunya cakupan imunisasi rutin",
                [
                    (
                        "kuantitas",
                        "Jumlah kabupaten/kota yang dipantau",
                        "12",
                        "kabupaten/kota",
                    ),
                    (
                        "kualitas",
                        "Data cakupan yang sesuai hasil validasi",
                        "95",
                        "persen",
                    ),
                ],
                [
                    "Merekapitulasi cakupan imunisasi bulanan",
                    "Memvalidasi data imunisasi bersama kabupaten/kota",
                    "Memantau ketersediaan vaksin dan rantai dingin",
                    "Menyusun laporan cakupan imunisasi",
                ],
                "12 kabupaten/kota",
            ),
        ],
    },
    "DINKES-B3": {
        "kepala": [
            (
                "Terpenuhinya sumber daya kesehatan di fasilitas pelayanan",
                [
                    (
                        "kuantitas",
                        "Puskesmas dengan sembilan jenis tenaga kesehatan",
                        "75",
                        "persen",
                    ),
                    (
                        "kualitas",
                        "Ketersediaan obat esensial di puskesmas",
                        "95",
                        "persen",
                    ),
                ],
                [
                    "Memetakan kebutuhan tenaga kesehatan",
                    "Mengendalikan distribusi obat dan vaksin",
                    "Mengevaluasi pemenuhan alat kesehatan",
                    "Menyusun rencana kebutuhan sumber daya kesehatan",
                ],
                "1 dokumen",
            ),
            (
                "Terlaksananya pengawasan sarana kefarmasian",
                [
                    ("kuantitas", "Sarana kefarmasian yang dibina", "60", "sarana"),
                    ("waktu", "Rekomendasi izin diterbitkan", "10", "hari kerja"),
                ],
                [
                    "Menetapkan jadwal pembinaan sarana kefarmasian",
                    "Mengawasi pelaksanaan pembinaan",
                    "Menindaklanjuti temuan pembinaan",
                    "Menyusun laporan pengawasan",
                ],
                "1 laporan",
            ),
        ],
        "staf": [
            (
                "Terkelolanya data sumber daya manusia kesehatan",
                [
                    (
                        "kuantitas",
                        "Jumlah data tenaga kesehatan yang dimutakhirkan",
                        "800",
                        "data",
                    ),
                    ("kualitas", "Data SISDMK yang lengkap", "95", "persen"),
                ],
                [
                    "Memutakhirkan data tenaga kesehatan pada SISDMK",
                    "Memverifikasi surat tanda registrasi tenaga kesehatan",
                    "Memetakan sebaran tenaga kesehatan",
                    "Menyusun profil sumber daya manusia kesehatan",
                ],
                "70 data",
            ),
            (
                "Terpantaunya ketersediaan obat dan perbekalan kesehatan",
                [
                    (
                        "kuantitas",
                        "Jumlah laporan ketersediaan obat yang diolah",
                        "144",
                        "laporan",
                    ),
                    ("waktu", "Laporan stok obat diolah setiap bulan", "12", "kali"),
                ],
                [
                    "Merekapitulasi laporan pemakaian dan lembar permintaan obat",
                    "Memantau stok obat di instalasi farmasi",
                    "Menyiapkan distribusi obat ke kabupaten/kota",
                    "Menyusun rencana kebutuhan obat tahun berikutnya",
                ],
                "12 laporan",
            ),
        ],
    },
    "DISDIK-B1": {
        "kepala": [
            (
                "Meningkatnya mutu pendidikan SMA",
                [
                    (
                        "kuantitas",
                        "SMA dengan rapor pendidikan kategori baik",
                        "60",
                        "persen",
                    ),
                    ("kualitas", "Angka partisipasi kasar SMA", "90", "persen"),
                ],
                [
                    "Menganalisis rapor pendidikan SMA",
                    "Mengendalikan pembinaan kurikulum SMA",
                    "Mengevaluasi penyaluran dana BOS SMA",
                    "Menyusun laporan mutu pendidikan SMA",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya penerimaan peserta didik baru SMA yang transparan",
                [
                    ("kuantitas", "SMA yang melaksanakan PPDB daring", "100", "persen"),
                    ("waktu", "Pengumuman hasil PPDB tepat waktu", "100", "persen"),
                ],
                [
                    "Menyusun petunjuk teknis PPDB",
                    "Mengendalikan pelaksanaan PPDB",
                    "Menangani pengaduan PPDB",
                    "Mengevaluasi pelaksanaan PPDB",
                ],
                "1 kegiatan",
            ),
        ],
        "staf": [
            (
                "Terlaksananya pembinaan kurikulum SMA",
                [
                    ("kuantitas", "Jumlah SMA yang dibina", "30", "sekolah"),
                    (
                        "kualitas",
                        "Sekolah binaan yang menerapkan Kurikulum Merdeka",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Mengumpulkan dokumen kurikulum satuan pendidikan",
                    "Melaksanakan pendampingan pembelajaran",
                    "Memantau asesmen di sekolah binaan",
                    "Menyusun laporan pembinaan kurikulum",
                ],
                "3 sekolah",
            ),
            (
                "Terverifikasinya data pokok pendidikan SMA",
                [
                    (
                        "kuantitas",
                        "Jumlah sekolah yang datanya diverifikasi",
                        "160",
                        "sekolah",
                    ),
                    (
                        "waktu",
                        "Verifikasi selesai sebelum batas cut-off Dapodik",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Memverifikasi data peserta didik",
                    "Memverifikasi data sarana dan prasarana",
                    "Memverifikasi data rombongan belajar",
                    "Menyusun rekapitulasi data pokok pendidikan",
                ],
                "15 sekolah",
            ),
        ],
    },
    "DISDIK-B2": {
        "kepala": [
            (
                "Meningkatnya keterserapan lulusan SMK di dunia kerja",
                [
                    (
                        "kuantitas",
                        "Lulusan SMK yang bekerja atau berwirausaha",
                        "65",
                        "persen",
                    ),
                    (
                        "kualitas",
                        "SMK dengan kerja sama industri aktif",
                        "80",
                        "persen",
                    ),
                ],
                [
                    "Memetakan kebutuhan dunia usaha dan industri",
                    "Mengendalikan program penyelarasan SMK",
                    "Mengevaluasi penelusuran lulusan",
                    "Menyusun laporan keterserapan lulusan",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya uji kompetensi keahlian siswa SMK",
                [
                    (
                        "kuantitas",
                        "Siswa kelas XII yang mengikuti uji kompetensi",
                        "95",
                        "persen",
                    ),
                    ("waktu", "Sertifikat terbit setelah uji kompetensi", "30", "hari"),
                ],
                [
                    "Menetapkan tempat uji kompetensi",
                    "Mengoordinasikan asesor dari industri",
                    "Memantau pelaksanaan uji kompetensi",
                    "Mengevaluasi hasil uji kompetensi",
                ],
                "1 kegiatan",
            ),
        ],
        "staf": [
            (
                "Terfasilitasinya praktik kerja lapangan siswa SMK",
                [
                    (
                        "kuantitas",
                        "Jumlah siswa yang ditempatkan di industri",
                        "1500",
                        "siswa",
                    ),
                    (
                        "kualitas",
                        "Siswa yang menyelesaikan praktik kerja lapangan",
                        "95",
                        "persen",
                    ),
                ],
                [
                    "Mendata kuota praktik kerja dari industri",
                    "Memfasilitasi penempatan siswa",
                    "Memantau pelaksanaan praktik kerja lapangan",
                    "Merekapitulasi hasil penilaian industri",
                ],
                "120 siswa",
            ),
            (
                "Terlaksananya penelusuran tamatan SMK",
                [
                    (
                        "kuantitas",
                        "Jumlah SMK yang melaporkan penelusuran tamatan",
                        "120",
                        "sekolah",
                    ),
                    ("waktu", "Rekapitulasi tamatan selesai per semester", "2", "kali"),
                ],
                [
                    "Menyebarkan instrumen penelusuran tamatan",
                    "Menghimpun data tamatan dari SMK",
                    "Mengolah data keterserapan lulusan",
                    "Menyusun laporan penelusuran tamatan",
                ],
                "10 sekolah",
            ),
        ],
    },
    "DISDIK-B3": {
        "kepala": [
            (
                "Terpenuhinya guru dan tenaga kependidikan yang kompeten",
                [
                    ("kuantitas", "Guru bersertifikat pendidik", "85", "persen"),
                    (
                        "kualitas",
                        "Guru yang mengikuti pengembangan keprofesian berkelanjutan",
                        "70",
                        "persen",
                    ),
                ],
                [
                    "Memetakan kebutuhan guru per mata pelajaran",
                    "Mengendalikan pengusulan sertifikasi guru",
                    "Mengevaluasi pemerataan guru",
                    "Menyusun laporan pemenuhan guru",
                ],
                "1 laporan",
            ),
            (
                "Tersalurkannya tunjangan profesi guru tepat waktu",
                [
                    (
                        "kuantitas",
                        "Guru penerima tunjangan profesi yang diverifikasi",
                        "100",
                        "persen",
                    ),
                    (
                        "waktu",
                        "Penyaluran tunjangan per triwulan tepat waktu",
                        "4",
                        "kali",
                    ),
                ],
                [
                    "Menetapkan daftar penerima tunjangan triwulan I",
                    "Menetapkan daftar penerima tunjangan triwulan II",
                    "Menetapkan daftar penerima tunjangan triwulan III",
                    "Menetapkan daftar penerima tunjangan triwulan IV",
                ],
                "1 daftar",
            ),
        ],
        "staf": [
            (
                "Terverifikasinya berkas tunjangan profesi guru",
                [
                    (
                        "kuantitas",
                        "Jumlah berkas tunjangan profesi yang diverifikasi",
                        "2000",
                        "berkas",
                    ),
                    ("kualitas", "Berkas yang lolos validasi Info GTK", "95", "persen"),
                ],
                [
                    "Memverifikasi beban mengajar guru pada Info GTK",
                    "Memeriksa surat keputusan tunjangan profesi",
                    "Menindaklanjuti berkas yang tidak valid",
                    "Merekapitulasi penyaluran tunjangan",
                ],
                "170 berkas",
            ),
            (
                "Tersusunnya peta kebutuhan guru SMA dan SMK",
                [
                    (
                        "kuantitas",
                        "Jumlah sekolah yang dipetakan kebutuhan gurunya",
                        "280",
                        "sekolah",
                    ),
                    (
                        "waktu",
                        "Peta kebutuhan guru selesai pada triwulan",
                        "2",
                        "triwulan",
                    ),
                ],
                [
                    "Mengumpulkan data rombongan belajar dan jam mengajar",
                    "Menghitung kebutuhan guru per mata pelajaran",
                    "Memvalidasi hasil hitungan bersama cabang dinas",
                    "Menyusun peta kebutuhan guru",
                ],
                "25 sekolah",
            ),
        ],
    },
    "INSPEKTORAT-B1": {
        "kepala": [
            (
                "Meningkatnya kualitas tata kelola perangkat daerah wilayah I",
                [
                    (
                        "kuantitas",
                        "Perangkat daerah yang diaudit kinerjanya",
                        "10",
                        "perangkat daerah",
                    ),
                    (
                        "kualitas",
                        "Rekomendasi hasil pengawasan yang ditindaklanjuti",
                        "85",
                        "persen",
                    ),
                ],
                [
                    "Menyusun program kerja pengawasan tahunan wilayah I",
                    "Mengendalikan mutu audit kinerja",
                    "Memantau tindak lanjut hasil pengawasan",
                    "Menyusun laporan hasil pengawasan wilayah I",
                ],
                "1 laporan",
            ),
            (
                "Terlaksananya reviu laporan keuangan dan kinerja",
                [
                    ("kuantitas", "Jumlah laporan yang direviu", "12", "laporan"),
                    (
                        "waktu",
                        "Reviu selesai sebelum batas penyampaian",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Mereviu laporan keuangan pemerintah daerah",
                    "Mereviu rencana kerja dan anggaran",
                    "Mereviu laporan kinerja instansi pemerintah",
                    "Mereviu rencana kebutuhan barang milik daerah",
                ],
                "1 laporan hasil reviu",
            ),
        ],
        "staf": [
            (
                "Terlaksananya audit kinerja perangkat daerah",
                [
                    (
                        "kuantitas",
                        "Jumlah penugasan audit yang diselesaikan",
                        "8",
                        "penugasan",
                    ),
                    (
                        "kualitas",
                        "Kertas kerja audit yang lolos reviu berjenjang",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Menyusun program kerja audit",
                    "Melaksanakan pengujian bukti audit di lapangan",
                    "Menyusun kertas kerja dan temuan audit",
                    "Menyusun konsep laporan hasil audit",
                ],
                "1 kertas kerja",
            ),
            (
                "Terpantaunya tindak lanjut rekomendasi hasil pemeriksaan",
                [
                    (
                        "kuantitas",
                        "Jumlah rekomendasi yang dipantau",
                        "120",
                        "rekomendasi",
                    ),
                    ("waktu", "Pemutakhiran tindak lanjut per semester", "2", "kali"),
                ],
                [
                    "Menghimpun bukti tindak lanjut dari perangkat daerah",
                    "Memverifikasi bukti tindak lanjut",
                    "Memutakhirkan status rekomendasi",
                    "Menyusun laporan pemantauan tindak lanjut",
                ],
                "10 rekomendasi",
            ),
        ],
    },
    "DISDIK-CABDIN-KUANSING": {
        "kepala": [
            (
                "Meningkatnya mutu layanan SMA, SMK dan SLB di Kuantan Singingi",
                [
                    (
                        "kuantitas",
                        "Sekolah yang dibina secara langsung",
                        "40",
                        "sekolah",
                    ),
                    (
                        "kualitas",
                        "Sekolah dengan rapor pendidikan kategori baik",
                        "55",
                        "persen",
                    ),
                ],
                [
                    "Menetapkan jadwal pembinaan sekolah",
                    "Mengendalikan supervisi kepala sekolah",
                    "Mengevaluasi rapor pendidikan sekolah binaan",
                    "Menyusun laporan layanan cabang dinas",
                ],
                "1 laporan",
            ),
            (
                "Tertibnya administrasi sekolah di wilayah cabang dinas",
                [
                    (
                        "kuantitas",
                        "Sekolah dengan laporan BOS tepat waktu",
                        "100",
                        "persen",
                    ),
                    ("waktu", "Rekomendasi mutasi guru diterbitkan", "7", "hari kerja"),
                ],
                [
                    "Memantau laporan penggunaan dana BOS",
                    "Memverifikasi usul mutasi guru",
                    "Memeriksa administrasi kepegawaian sekolah",
                    "Menyusun rekomendasi pembinaan administrasi",
                ],
                "1 rekomendasi",
            ),
        ],
        "staf": [
            (
                "Terlaksananya pengawasan akademik dan manajerial sekolah binaan",
                [
                    (
                        "kuantitas",
                        "Jumlah sekolah binaan yang disupervisi",
                        "10",
                        "sekolah",
                    ),
                    (
                        "kualitas",
                        "Guru binaan yang meningkat nilai supervisinya",
                        "70",
                        "persen",
                    ),
                ],
                [
                    "Menyusun program pengawasan sekolah binaan",
                    "Melaksanakan supervisi akademik guru",
                    "Melaksanakan supervisi manajerial kepala sekolah",
                    "Menyusun laporan hasil pengawasan",
                ],
                "2 sekolah",
            ),
            (
                "Terdampinginya penyusunan rencana kerja sekolah",
                [
                    ("kuantitas", "Jumlah sekolah yang didampingi", "10", "sekolah"),
                    (
                        "waktu",
                        "Rencana kerja sekolah ditetapkan sebelum tahun ajaran",
                        "100",
                        "persen",
                    ),
                ],
                [
                    "Menganalisis rapor pendidikan sekolah binaan",
                    "Mendampingi perencanaan berbasis data",
                    "Mereviu rencana kerja dan anggaran sekolah",
                    "Mengevaluasi pelaksanaan rencana kerja",
                ],
                "1 sekolah",
            ),
        ],
    },
}

# The RHK tambahan every staff member carries besides the unit's RHK.
SKP_TAMBAHAN: RhkSpec = (
    "Terlaksananya tugas sebagai anggota tim reformasi birokrasi perangkat daerah",
    [("kuantitas", "Jumlah kegiatan tim yang diikuti", "6", "kegiatan")],
    [
        "Menyusun rencana aksi reformasi birokrasi",
        "Mengumpulkan data dukung zona integritas",
        "Mengikuti evaluasi internal zona integritas",
        "Menyusun laporan capaian reformasi birokrasi",
    ],
    "1 kegiatan",
)
