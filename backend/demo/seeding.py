"""Build the demo organisation, idempotently and deterministically.

Every run produces the same accounts with the same NIPs and password, so the
README, the browser tests and the benchmarks can rely on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backend.attendance.models import Workplace
from backend.demo import data
from backend.organization import services
from backend.organization.models import Employee, Instansi, RoleAssignment, Unit
from backend.performance import services as performance
from backend.performance.models import ActionPlan, Indicator, Rhk, Skp

DEMO_PASSWORD = "pantau-demo-2026"  # noqa: S105 - published demo credentials
ADMIN_USERNAME = "admin"
STAFF_PER_BIDANG = 5
# A fixed salt keeps the seed deterministic and fast: one hash for all accounts.
_DEMO_SALT = "pantaudemosalt2026"


@dataclass
class SeedResult:
    created: int = 0
    accounts: list[dict[str, Any]] = field(default_factory=list)
    workplaces: list[dict[str, Any]] = field(default_factory=list)
    skp: dict[str, int] = field(default_factory=dict)


def _nip(index: int, *, senior: bool, female: bool) -> str:
    """A valid, deterministic NIP for the ``index``-th demo employee."""
    birth_year = (1968 if senior else 1982) + index % 12
    birth = dt.date(birth_year, 1 + index % 12, 1 + (index * 7) % 28)
    tmt_year = birth_year + 25 + index % 3
    tmt_month = 1 + (index * 5) % 12
    sex = "2" if female else "1"
    return f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{sex}{index:03d}"


def _name(index: int) -> tuple[str, bool]:
    given = data.GIVEN_NAMES[index % len(data.GIVEN_NAMES)]
    family = data.FAMILY_NAMES[(index * 7) % len(data.FAMILY_NAMES)]
    female = index % len(data.GIVEN_NAMES) % 2 == 1
    return f"{given} {family}", female


class _Seeder:
    def __init__(self) -> None:
        self.index = 0
        self.created = 0
        self.password_hash = make_password(DEMO_PASSWORD, salt=_DEMO_SALT)
        self.instansi, _ = Instansi.objects.get_or_create(
            code=data.INSTANSI["code"], defaults={"name": data.INSTANSI["name"]}
        )

    def unit(self, code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        existing = Unit.objects.filter(instansi=self.instansi, code=code).first()
        if existing:
            return existing
        return services.unit_create(
            instansi=self.instansi, code=code, name=name, kind=kind, parent=parent
        )

    def employee(
        self,
        *,
        unit: Unit,
        supervisor: Employee | None,
        jabatan: str,
        jabatan_kind: str,
        golongan: str,
        senior: bool = False,
        status: str = Employee.Status.PNS,
    ) -> Employee:
        self.index += 1
        name, female = _name(self.index)
        nip = _nip(self.index, senior=senior, female=female)
        existing = Employee.objects.filter(nip=nip).select_related("user").first()
        if existing:
            if existing.user.password != self.password_hash:
                existing.user.password = self.password_hash
                existing.user.save(update_fields=["password"])
            return existing
        employee = services.employee_create(
            nip=nip,
            name=name,
            unit=unit,
            supervisor=supervisor,
            jabatan=jabatan,
            jabatan_kind=jabatan_kind,
            golongan=golongan,
            status=status,
            placement_date=dt.date(2019 + self.index % 6, 1 + self.index % 12, 1),
        )
        employee.user.password = self.password_hash
        employee.user.save(update_fields=["password"])
        self.created += 1
        return employee

    def workplace(
        self, unit: Unit, spec: tuple[str, float, float, int, str]
    ) -> Workplace:
        name, lat, lon, radius, address = spec
        workplace, created = Workplace.objects.get_or_create(
            name=name,
            unit=unit,
            defaults={
                "latitude": Decimal(str(lat)),
                "longitude": Decimal(str(lon)),
                "radius_m": radius,
                "address": address,
                "timezone": "Asia/Jakarta",
            },
        )
        if created:
            workplace.full_clean()
        return workplace


def _role(
    user: Any, role: str, *, unit: Unit | None = None, instansi: Instansi | None = None
) -> None:
    exists = RoleAssignment.objects.filter(
        user=user, role=role, unit=unit, instansi=instansi
    ).exists()
    if not exists:
        services.role_assign(user=user, role=role, unit=unit, instansi=instansi)


@transaction.atomic
def seed_demo() -> SeedResult:
    """Create (or complete) the demo slice; safe to run any number of times."""
    seeder = _Seeder()
    accounts: list[tuple[Employee, str]] = []
    workplaces: list[Workplace] = []
    opd_units: dict[str, Unit] = {}
    opd_heads: dict[str, Employee] = {}
    for code, opd_name, bidang_names, workplace_spec in data.OPDS:
        opd = seeder.unit(code, opd_name, Unit.Kind.OPD, None)
        opd_units[code] = opd
        workplaces.append(seeder.workplace(opd, workplace_spec))
        head = seeder.employee(
            unit=opd,
            supervisor=None,
            jabatan=f"Kepala {opd_name}",
            jabatan_kind="jpt",
            golongan="IV/c",
            senior=True,
        )
        opd_heads[code] = head
        accounts.append((head, "supervisor"))
        if opd.head_id != head.pk:
            services.unit_set_head(unit=opd, head=head)
        for number, bidang_name in enumerate(bidang_names, start=1):
            bidang = seeder.unit(
                f"{code}-B{number}", bidang_name, Unit.Kind.BIDANG, opd
            )
            kabid = seeder.employee(
                unit=bidang,
                supervisor=head,
                jabatan=f"Kepala {bidang_name}",
                jabatan_kind="administrator",
                golongan="IV/a",
                senior=True,
            )
            accounts.append((kabid, "supervisor"))
            if bidang.head_id != kabid.pk:
                services.unit_set_head(unit=bidang, head=kabid)
            staff_count = 2 if code == "INSPEKTORAT" else STAFF_PER_BIDANG
            for staff_number in range(staff_count):
                pppk = staff_number == staff_count - 1
                staff = seeder.employee(
                    unit=bidang,
                    supervisor=kabid,
                    jabatan="Auditor Ahli Pertama"
                    if code == "INSPEKTORAT"
                    else (
                        "Pengelola Layanan Operasional"
                        if pppk
                        else "Analis Sumber Daya Manusia Aparatur"
                    ),
                    jabatan_kind="fungsional" if not pppk else "pelaksana",
                    golongan="IX" if pppk else "III/b",
                    status=Employee.Status.PPPK if pppk else Employee.Status.PNS,
                )
                role = "auditor" if code == "INSPEKTORAT" else "employee"
                accounts.append((staff, role))
    upt_code, upt_name, parent_code, upt_workplace = data.UPT
    upt = seeder.unit(upt_code, upt_name, Unit.Kind.UPT, opd_units[parent_code])
    workplaces.append(seeder.workplace(upt, upt_workplace))
    upt_head = seeder.employee(
        unit=upt,
        supervisor=opd_heads[parent_code],
        jabatan=f"Kepala {upt_name}",
        jabatan_kind="administrator",
        golongan="III/d",
        senior=True,
    )
    accounts.append((upt_head, "supervisor"))
    if upt.head_id != upt_head.pk:
        services.unit_set_head(unit=upt, head=upt_head)
    for _ in range(2):
        staff = seeder.employee(
            unit=upt,
            supervisor=upt_head,
            jabatan="Pengawas Sekolah",
            jabatan_kind="fungsional",
            golongan="III/c",
        )
        accounts.append((staff, "employee"))

    # Roles: a staff member of Dinas Kesehatan is its operator (unit admin);
    # the Inspektorat staff audit the whole instansi.
    unit_admin = next(
        e for e, r in accounts if e.unit.code == "DINKES-B1" and r == "employee"
    )
    accounts = [(e, "unit_admin" if e.pk == unit_admin.pk else r) for e, r in accounts]
    _role(unit_admin.user, RoleAssignment.Role.UNIT_ADMIN, unit=opd_units["DINKES"])
    for employee, role in accounts:
        if role == "auditor":
            _role(employee.user, RoleAssignment.Role.AUDITOR, instansi=seeder.instansi)

    user_model = get_user_model()
    admin_user, _created = user_model.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if admin_user.password != seeder.password_hash:
        admin_user.password = seeder.password_hash
        admin_user.save(update_fields=["password"])

    _seed_skps(instansi=seeder.instansi, year=_skp_year())

    result = demo_summary()
    result.created = seeder.created
    return result


def _skp_year() -> int:
    return timezone.localdate().year


def _seed_skps(*, instansi: Instansi, year: int) -> None:
    """An agreed SKP for ``year`` for every demo employee with a supervisor.

    The supervisor is the rater; the RHK of a staff member support the RHK
    of the rater. The kepala OPD have no rater in the demo slice (theirs is
    the Sekretaris Daerah) and so no SKP. Employees who already have an SKP
    for the year keep it. The rows are inserted in bulk, one level of the
    hierarchy at a time (an RHK's parent must exist first); the drafts then
    go through ``skp_submit`` and ``skp_review`` like any other SKP.
    """
    pending = list(
        Employee.objects.filter(unit__instansi=instansi, supervisor__isnull=False)
        .exclude(skps__year=year)
        .select_related("unit", "supervisor")
        .order_by("id")
    )
    levels: dict[int, list[Employee]] = {}
    for employee in pending:
        levels.setdefault(employee.chain.count("/"), []).append(employee)
    for level in sorted(levels):
        _seed_skp_level(levels[level], year=year)


def _seed_skp_level(employees: list[Employee], *, year: int) -> None:
    supported: dict[int, list[Rhk]] = {}
    for rhk in (
        Rhk.objects.filter(
            skp__employee__in={e.supervisor_id for e in employees},
            skp__year=year,
            kind=Rhk.Kind.UTAMA,
        )
        .select_related("skp")
        .order_by("position", "id")
    ):
        supported.setdefault(rhk.skp.employee_id, []).append(rhk)
    plans: list[tuple[Employee, Employee, list[data.RhkSpec]]] = []
    for employee in employees:
        rater = employee.supervisor
        if rater is None:
            continue
        unit_plans = data.SKP_PLANS[employee.unit.code]
        if employee.unit.head_id == employee.pk:
            plans.append((employee, rater, unit_plans["kepala"]))
        else:
            plans.append((employee, rater, [*unit_plans["staf"], data.SKP_TAMBAHAN]))
    skps = Skp.objects.bulk_create(
        Skp(employee=e, year=year, rater=r) for e, r, _ in plans
    )
    rhks: list[Rhk] = []
    details: list[data.RhkSpec] = []
    for skp, (_employee, rater, specs) in zip(skps, plans, strict=True):
        parents = supported.get(rater.pk, [])
        for position, spec in enumerate(specs):
            utama = spec is not data.SKP_TAMBAHAN
            rhks.append(
                Rhk(
                    skp=skp,
                    kind=Rhk.Kind.UTAMA if utama else Rhk.Kind.TAMBAHAN,
                    text=spec[0],
                    parent=parents[position % len(parents)]
                    if utama and parents
                    else None,
                    position=position,
                )
            )
            details.append(spec)
    Rhk.objects.bulk_create(rhks)
    indicators: list[Indicator] = []
    action_plans: list[ActionPlan] = []
    for rhk, (_text, rhk_indicators, steps, monthly_target) in zip(
        rhks, details, strict=True
    ):
        indicators.extend(
            Indicator(rhk=rhk, aspect=a, text=t, target=Decimal(n), unit=u)
            for a, t, n, u in rhk_indicators
        )
        action_plans.extend(
            ActionPlan(
                rhk=rhk,
                month=month,
                text=steps[(month - 1) // 3],
                target=monthly_target,
            )
            for month in range(1, 13)
        )
    Indicator.objects.bulk_create(indicators)
    ActionPlan.objects.bulk_create(action_plans)
    for skp, (employee, rater, _specs) in zip(skps, plans, strict=True):
        skp = performance.skp_submit(skp=skp, by=employee)
        performance.skp_review(skp=skp, reviewer=rater, decision="agree")


def demo_summary() -> SeedResult:
    """The demo accounts and workplaces as they are in the database.

    Reads only, so ``make run`` can print the logins without touching data
    that may have changed since the seed. Roles follow the data: an auditor
    or unit admin by role assignment, a supervisor when someone reports to
    them.
    """
    result = SeedResult()
    instansi = Instansi.objects.filter(code=data.INSTANSI["code"]).first()
    if instansi is None:
        return result
    employees = (
        Employee.objects.filter(unit__instansi=instansi)
        .select_related("user", "unit", "supervisor")
        .order_by("id")
    )
    roles = dict(
        RoleAssignment.objects.filter(
            user__employee__unit__instansi=instansi
        ).values_list("user_id", "role")
    )
    with_team = set(
        Employee.objects.filter(supervisor__unit__instansi=instansi).values_list(
            "supervisor_id", flat=True
        )
    )
    for employee in employees:
        supervisor = employee.supervisor
        role = roles.get(employee.user_id) or (
            "supervisor" if employee.pk in with_team else "employee"
        )
        result.accounts.append(
            {
                "username": employee.user.username,
                "nip": employee.nip,
                "name": employee.name,
                "role": role,
                "unit": employee.unit.code,
                "supervisor": supervisor.nip if supervisor else None,
            }
        )
    result.workplaces = [
        {
            "name": w.name,
            "latitude": float(w.latitude),
            "longitude": float(w.longitude),
            "radius_m": w.radius_m,
        }
        for w in Workplace.objects.filter(unit__instansi=instansi).order_by("id")
    ]
    year = _skp_year()
    result.skp = {
        "year": year,
        "agreed": Skp.objects.filter(
            employee__unit__instansi=instansi, year=year, status=Skp.Status.AGREED
        ).count(),
    }
    return result
