"""manage.py seed_demo — a demo regency with real regions, synthetic people and one user per role.

Idempotent: running it again keeps existing data and accounts and prints the logins again.
"""

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.apikeys import api_key_for_demo
from core.choices import Role
from core.models import User
from core.scope import within
from core.services import user_activate, user_create
from dtks.choices import AidType, FundingSource, RelationToHead
from dtks.models import Household, Individual, Program, ProgramPeriod, Region
from dtks.services import region_load_all
from dtks.synthetic import generate_district, generate_enrollments

DEMO_PASSWORD = "silakso-demo"  # noqa: S105 - printed on purpose: demo accounts only


class Command(BaseCommand):
    help = "Seed a demo regency (regions, households, people, one account per role)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--regency", default="19.04", help="Regency code (default Bangka Tengah)"
        )
        parser.add_argument("--individuals", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **options):
        regency_code = options["regency"]
        if not Region.objects.filter(code="11").exists():
            self.stdout.write("Loading the Kemendagri region list…")
            result = region_load_all()
            self.stdout.write("  {} regions in {}s".format(result["total"], result["seconds"]))
        regency = Region.objects.filter(code=regency_code, level=2).first()
        if regency is None:
            raise CommandError(f"{regency_code} is not a regency code.")
        if not Household.objects.filter(within("village__code", regency_code)).exists():
            self.stdout.write(
                "Generating {} people in {}…".format(options["individuals"], regency.name)
            )
            generated = generate_district(
                region_code=regency_code, individuals=options["individuals"], seed=options["seed"]
            )
            self.stdout.write(
                f"  {generated.households} households, {generated.families} families, "
                f"{generated.individuals} individuals in {generated.seconds}s ({generated.method})"
            )
        self._programs(regency)
        accounts = self._accounts(regency)
        # Each app may add its own demo data (`seed_demo_<app>`), after the accounts exist.
        from django.conf import settings
        from django.core.management import get_commands

        for app in settings.SILAKSO_APPS:
            if "seed_demo_" + app in get_commands():
                call_command("seed_demo_" + app, stdout=self.stdout)
        from core.dashboard import refresh

        state = refresh()  # the dashboards' figures, counted once (beat keeps them current)
        self.stdout.write("  Dashboard figures: {} rows in {}s".format(state.rows, state.seconds))
        self._print(accounts)

    def _programs(self, regency: Region) -> None:
        """The national catalogue, a regional food program, current periods and recipients."""
        call_command("load_programs", stdout=self.stdout)
        Program.objects.get_or_create(
            code="sembako-daerah",
            defaults={
                "name": "Bantuan Sembako Daerah",
                "description": "Paket sembako dari APBD kabupaten untuk keluarga miskin.",
                "eligibility": "Keluarga desil 1–3 yang belum menerima BPNT.",
                "required_documents": "KTP\nKartu Keluarga (KK)",
                "provider": "Dinas Sosial",
                "funding_source": FundingSource.APBD_REGENCY,
                "aid_type": AidType.FOOD,
                "max_desil": 3,
                "region": regency,
            },
        )
        Program.objects.get_or_create(
            code="beasiswa-daerah",
            defaults={
                "name": "Beasiswa Siswa Miskin Daerah",
                "description": "Beasiswa dari APBD kabupaten untuk siswa SD–SMA keluarga miskin.",
                "eligibility": "Siswa dari keluarga desil 1–4.",
                "required_documents": "KTP orang tua\nKartu Keluarga (KK)\nSurat keterangan sekolah",
                "provider": "Dinas Pendidikan",
                "funding_source": FundingSource.APBD_REGENCY,
                "aid_type": AidType.EDUCATION,
                "max_desil": 4,
                "region": regency,
                "accepts_applications": False,
            },
        )
        today = timezone.localdate()
        quarter = (today.month - 1) // 3
        starts = dt.date(today.year, 3 * quarter + 1, 1)
        ends = dt.date(today.year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - dt.timedelta(
            days=1
        )
        name = "{} Triwulan {}".format(today.year, ["I", "II", "III", "IV"][quarter])
        for code, max_desil in (
            ("pkh", 2),
            ("bpnt", 3),
            ("sembako-daerah", None),
            ("pbi-jk", None),
            ("beasiswa-daerah", None),
        ):
            program = Program.objects.get(code=code)
            period, created = ProgramPeriod.objects.get_or_create(
                program=program, name=name, defaults={"starts_on": starts, "ends_on": ends}
            )
            if created and max_desil:
                count = generate_enrollments(
                    region_code=regency.code, period=period, max_desil=max_desil
                )
                self.stdout.write("  {}: {} recipient households".format(program.name, count))

    @transaction.atomic
    def _accounts(self, regency: Region) -> list[tuple[User, str]]:
        village = (
            Region.objects.villages()
            .within(regency.code)
            .filter(households__isnull=False)
            .order_by("code")
            .first()
        )
        district = village.parent
        other_village = (
            Region.objects.villages().within(district.code).exclude(code=village.code).first()
        )
        resident_person = (
            Individual.objects.filter(
                household__village=village, relation_to_head=RelationToHead.HEAD
            )
            .order_by("id")
            .first()
        )
        plan = [
            ("warga", "Warga Demo", Role.RESIDENT, None),
            ("operator.desa", f"Operator {village.name}", Role.VILLAGE_OPERATOR, village),
            ("operator.baru", "Operator Baru", Role.VILLAGE_OPERATOR, village),
            (
                "operator.lain",
                f"Operator {other_village.name}",
                Role.VILLAGE_OPERATOR,
                other_village,
            ),
            ("kepala.desa", f"Kepala Desa {village.name}", Role.VILLAGE_HEAD, village),
            ("pengawas", f"Pengawas Kec. {district.name}", Role.SUPERVISOR, district),
            ("front.office", "Petugas Front Office", Role.FRONT_OFFICE, regency),
            ("verifikator", "Verifikator Dinsos", Role.VERIFIER, regency),
            ("back.office", "Petugas Back Office", Role.BACK_OFFICE, regency),
            ("pengelola.data", "Pengelola Data", Role.DATA_MANAGER, regency),
            ("kabid", "Kepala Bidang", Role.HEAD_OF_DIVISION, regency),
            ("bupati", "Bagian Pemerintahan Bupati", Role.REGENT_OFFICE, regency),
            ("mitra", "Admin Mitra", Role.PROVIDER_ADMIN, None),
            ("opd.pendidikan", "Pengelola Program Dinas Pendidikan", Role.PROGRAM_MANAGER, regency),
            ("admin", "Administrator Sistem", Role.SYSTEM_ADMIN, regency),
            ("api.client", "Sistem Mitra (API)", Role.API_CLIENT, regency),
        ]
        accounts = []
        for username, name, role, region in plan:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    full_name=name,
                    role=role,
                    region=region,
                    email=f"{username}@demo.silakso.local",
                    password=DEMO_PASSWORD,
                    nik=resident_person.nik if role == Role.RESIDENT and resident_person else None,
                    actor=None,
                )
            accounts.append((user, region.name if region else "-"))
        Program.objects.get(code="beasiswa-daerah").managers.add(
            User.objects.get(username="opd.pendidikan")
        )
        head = User.objects.get(username="kepala.desa")
        for username in ("operator.desa", "operator.lain"):
            operator = User.objects.get(username=username)
            if not operator.is_active and operator.activated_at is None:
                if operator.region_id == head.region_id:
                    user_activate(user=operator, actor=head)
                else:
                    user_activate(user=operator, actor=User.objects.get(username="admin"))
        return [(User.objects.get(pk=user.pk), where) for user, where in accounts]

    def _print(self, accounts) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for user, where in accounts:
            state = "" if user.is_active else "  [waits for the village head to activate]"
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<34} {where}{state}")
        key = api_key_for_demo(
            client=User.objects.get(username="api.client"),
            scopes=[
                "registry:read",
                "applications:intake",
                "applications:read",
                "complaints:intake",
                "complaints:read",
                "referrals:read",
            ],
        )
        self.stdout.write(f"  API key of api.client (shown once): {key}")
        self._print_sign_up()

    def _print_sign_up(self) -> None:
        """A registry person without an account, to try the resident sign-up with (the demo
        writes each SMS, with its code, to this terminal)."""
        from dtks.models import Individual

        person = (
            Individual.objects.filter(status="alive", relation_to_head="head", family__isnull=False)
            .exclude(nik__in=User.objects.exclude(nik=None).values("nik"))
            .select_related("family")
            .order_by("pk")
            .first()
        )
        if person is not None:
            self.stdout.write(
                "  To try the resident sign-up (/akun/daftar/): NIK {} with KK {}; the SMS "
                "code appears in this terminal.".format(person.nik, person.family.kk_number)
            )
