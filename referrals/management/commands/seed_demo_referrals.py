"""Demo providers with their services, the demo provider accounts, a case like seed 001's
"Pak RS" with referrals in several steps, and service letters (idempotent)."""

from django.core.management.base import BaseCommand

from core.apikeys import api_key_for_demo
from core.choices import Role
from core.management.commands.seed_demo import DEMO_PASSWORD
from core.models import User
from core.services import user_create
from dtks.models import Household, Region
from referrals import services
from referrals.models import Case, Provider, Service

# (name, kind, regional?, services: (name, domain, capacity, period, eligibility))
PROVIDERS = [
    (
        "Dinas Kesehatan",
        "opd",
        True,
        [
            (
                "Aktivasi PBI-JK (KIS)",
                "health",
                100,
                "month",
                "Warga miskin tanpa jaminan kesehatan",
            ),
            ("Pendampingan berobat rujukan", "health", 30, "month", ""),
        ],
    ),
    (
        "Dinas Pendidikan",
        "opd",
        True,
        [("Program Indonesia Pintar (PIP)", "education", None, "year", "Anak usia sekolah 6–21")],
    ),
    (
        "Dinas Perumahan dan Permukiman",
        "opd",
        True,
        [("Bedah rumah (RS-RTLH)", "housing", 25, "year", "Rumah tidak layak huni, tanah sendiri")],
    ),
    (
        "Dinas Koperasi dan UKM",
        "opd",
        True,
        [("Kelompok Usaha Bersama (KUBE)", "economy", 10, "quarter", "Kelompok 5–10 KK miskin")],
    ),
    (
        "Dinas Tenaga Kerja",
        "opd",
        True,
        [("Pelatihan kerja BLK", "economy", 40, "quarter", "Usia 18–45")],
    ),
    (
        "Dinas Kependudukan dan Pencatatan Sipil",
        "opd",
        True,
        [("Perekaman KTP-el dan KK", "civil_documents", None, "month", "")],
    ),
    (
        "DP3A (Perlindungan Perempuan dan Anak)",
        "opd",
        True,
        [("Pendampingan korban kekerasan", "social_rehabilitation", None, "month", "")],
    ),
    (
        "BAZNAS Kabupaten",
        "baznas",
        True,
        [("Santunan biaya hidup", "economy", 50, "month", "Mustahik fakir miskin")],
    ),
    (
        "PT Timah Tbk (CSR)",
        "csr",
        True,
        [("Beasiswa anak nelayan", "education", 20, "year", "Keluarga nelayan miskin")],
    ),
]


class Command(BaseCommand):
    help = "Demo providers, services, provider accounts, a case with referrals, letters."

    def handle(self, *args, **options):
        admin = User.objects.filter(username="admin").first()
        operator = User.objects.filter(username="operator.desa").first()
        front = User.objects.filter(username="front.office").first()
        if admin is None or operator is None or Provider.objects.exists():
            return
        regency = Region.objects.get(code=front.region_id) if front else None
        made = {}
        for name, kind, regional, offered in PROVIDERS:
            provider = services.provider_save(
                provider=Provider(
                    name=name,
                    kind=kind,
                    region=regency if regional else None,
                    contact_person="Sekretariat",
                    phone="0718-41000",
                ),
                actor=admin,
            )
            for service_name, domain, capacity, period, eligibility in offered:
                made[service_name] = services.service_save(
                    service=Service(
                        provider=provider,
                        name=service_name,
                        domain=domain,
                        capacity=capacity,
                        capacity_period=period,
                        eligibility=eligibility,
                    ),
                    actor=admin,
                )
        health = Provider.objects.get(name="Dinas Kesehatan")
        mitra = User.objects.filter(username="mitra").first()
        if mitra is not None:
            services.provider_member_add(user=mitra, provider=health, actor=admin)
        system = User.objects.filter(username="sistem.dinkes").first() or user_create(
            username="sistem.dinkes",
            full_name="Sistem Dinas Kesehatan (API)",
            role=Role.API_CLIENT,
            region=None,
            email="sistem.dinkes@demo.silakso.local",
            password=DEMO_PASSWORD,
            actor=None,
        )
        User.objects.filter(pk=system.pk).update(is_active=True)
        services.provider_member_add(user=system, provider=health, actor=admin)
        key = api_key_for_demo(client=system, scopes=["provider"])
        self._pak_rs_case(operator, front, mitra, made)
        self.stdout.write(
            "  {} providers, {} services, {} case(s); mitra works for Dinas Kesehatan".format(
                Provider.objects.count(), Service.objects.count(), Case.objects.count()
            )
        )
        self.stdout.write(
            "  API key of sistem.dinkes (Dinas Kesehatan's system, shown once): " + key
        )

    def _pak_rs_case(self, operator, front, mitra, made):
        """Seed 001's case: health cover for the parent, school aid for the child, a business
        group for the couple, house repair for the home, each from a different provider."""
        home = (
            Household.objects.filter(village_id=operator.region_id, status="active")
            .exclude(cases__isnull=False)
            .order_by("pk")
            .first()
        )
        if home is None:
            return
        case = services.case_create(
            household=home,
            origin="walk_in",
            actor=operator,
            plan="Aktifkan KIS, PIP untuk anak, KUBE untuk suami-istri, usulkan bedah rumah.",
            contact_phone="081234567001",
        )
        for domain, need in (
            ("health", "urgent"),
            ("education", "some"),
            ("economy", "some"),
            ("housing", "urgent"),
        ):
            services.case_assess(case=case, domain=domain, need=need, notes="", actor=operator)
        referrals = {}
        for service_name, need in (
            ("Aktivasi PBI-JK (KIS)", "KIS tidak aktif; perlu berobat rutin."),
            ("Program Indonesia Pintar (PIP)", "Anak kelas 8 terancam putus sekolah."),
            ("Kelompok Usaha Bersama (KUBE)", "Suami-istri ingin usaha kerupuk ikan."),
            ("Bedah rumah (RS-RTLH)", "Atap bocor dan dinding papan lapuk."),
        ):
            referral = services.referral_create(
                case=case, service=made[service_name], need=need, actor=operator
            )
            if service_name != "Bedah rumah (RS-RTLH)":
                services.referral_send(referral=referral, actor=operator)
            referrals[service_name] = referral
        if mitra is not None:
            pbi = referrals["Aktivasi PBI-JK (KIS)"]
            services.referral_respond(referral=pbi, actor=mitra, accept=True)
            services.referral_start(referral=pbi, actor=mitra)
        if front is not None:
            head = home.members.filter(relation_to_head="head").first()
            if head is not None:
                services.letter_issue(
                    kind="lkm_nik",
                    region=home.village,
                    recipient_name=head.name,
                    recipient_nik=head.nik,
                    details={"health_facility": "RSUD Bangka Tengah", "purpose": "Rawat jalan"},
                    household=home,
                    case=case,
                    actor=front,
                )
            services.letter_issue(
                kind="repatriation",
                region=home.village,
                recipient_name="Orang terlantar (tanpa identitas)",
                details={
                    "origin": "Pelabuhan Pangkalbalam",
                    "destination": "Kupang, NTT",
                    "transport": "Kapal PELNI",
                },
                actor=front,
            )
