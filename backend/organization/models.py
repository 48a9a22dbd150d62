"""Instansi, the unit tree, employees and the roles that widen what they see.

Two materialised paths keep "who is under whom" cheap to query at the size
of a province: ``Unit.path`` holds the ids from the OPD down to the unit, and
``Employee.chain`` holds the ids of the supervisors above an employee. Both
are maintained only by ``backend.organization.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.organization.nip import PNS, PPPK, parse_nip, validate_nip_digits

TIMEZONES = [
    ("Asia/Jakarta", "WIB (UTC+7)"),
    ("Asia/Makassar", "WITA (UTC+8)"),
    ("Asia/Jayapura", "WIT (UTC+9)"),
]


class Instansi(models.Model):
    class Kind(models.TextChoices):
        PUSAT = "pusat", _("Central government")
        DAERAH = "daerah", _("Regional government")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.DAERAH
    )
    timezone = models.CharField(
        _("time zone"), max_length=40, choices=TIMEZONES, default="Asia/Jakarta"
    )

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def paths_above(path: str) -> list[str]:
    """The unit path ``path`` and the paths of every unit above it, top
    first: ``/1/4/9/`` gives ``/1/``, ``/1/4/``, ``/1/4/9/``."""
    ids = [part for part in path.split("/") if part]
    return ["/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids))]


class Unit(models.Model):
    """A unit organisasi: an OPD, a bidang/bagian inside it, or a UPT."""

    class Kind(models.TextChoices):
        OPD = "opd", _("OPD (dinas, badan, sekretariat)")
        BIDANG = "bidang", _("Bidang / bagian")
        SUBBIDANG = "subbidang", _("Sub-bidang / seksi")
        UPT = "upt", _("UPT")

    instansi = models.ForeignKey(
        Instansi,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("instansi"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    head = models.ForeignKey(
        "Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_units",
        verbose_name=_("head of unit"),
    )
    # "/<opd id>/<bidang id>/<own id>/": every ancestor's id, then its own.
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "code"], name="unit_code_unique_per_instansi"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every unit above it, top first."""
        return paths_above(self.path)


class Employee(models.Model):
    class Status(models.TextChoices):
        PNS = PNS, _("PNS")
        PPPK = PPPK, _("PPPK")

    class JabatanKind(models.TextChoices):
        JPT = "jpt", _("Pimpinan tinggi (JPT)")
        ADMINISTRATOR = "administrator", _("Administrator")
        PENGAWAS = "pengawas", _("Pengawas")
        FUNGSIONAL = "fungsional", _("Fungsional")
        PELAKSANA = "pelaksana", _("Pelaksana")

    GOLONGAN_PNS = [
        f"{roman}/{letter}"
        for roman, letters in (
            ("I", "abcd"),
            ("II", "abcd"),
            ("III", "abcd"),
            ("IV", "abcde"),
        )
        for letter in letters
    ]
    GOLONGAN_PPPK = [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
        "XIV",
        "XV",
        "XVI",
        "XVII",
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="employee",
        verbose_name=_("user account"),
    )
    nip = models.CharField(
        _("NIP"), max_length=18, unique=True, validators=[validate_nip_digits]
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=4, choices=Status.choices, default=Status.PNS
    )
    jabatan = models.CharField(_("jabatan"), max_length=200, blank=True)
    jabatan_kind = models.CharField(
        _("jabatan kind"), max_length=15, choices=JabatanKind.choices, blank=True
    )
    golongan = models.CharField(
        _("golongan"),
        max_length=5,
        blank=True,
        choices=[(g, g) for g in GOLONGAN_PNS + GOLONGAN_PPPK],
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("unit"),
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("direct supervisor"),
    )
    # "/<top id>/.../<direct supervisor id>/", "/" for someone with no
    # supervisor. Subordinates of X: chain starts with X.chain + "<X.id>/".
    chain = models.CharField(max_length=512, default="/", db_index=True, editable=False)
    placement_date = models.DateField(
        _("placement date (TMT in current position)"), null=True, blank=True
    )
    under_sanction = models.BooleanField(
        _("under disciplinary sanction"),
        default=False,
        help_text=_("Under or in the process of a hukuman disiplin."),
    )
    domisili_address = models.CharField(
        _("home address (domisili)"), max_length=300, blank=True
    )
    domisili_latitude = models.DecimalField(
        _("home latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    domisili_longitude = models.DecimalField(
        _("home longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("id")),
                name="employee_not_own_supervisor",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        domisili_latitude__isnull=True, domisili_longitude__isnull=True
                    )
                    | models.Q(
                        domisili_latitude__isnull=False,
                        domisili_longitude__isnull=False,
                    )
                ),
                name="employee_domisili_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            parse_nip(self.nip, status=self.status)
        except ValidationError as exc:
            errors.setdefault("nip", []).append(exc)
        if self.golongan:
            allowed = self.GOLONGAN_PPPK if self.status == PPPK else self.GOLONGAN_PNS
            if self.golongan not in allowed:
                errors.setdefault("golongan", []).append(
                    ValidationError(
                        _("Golongan %(golongan)s does not exist for %(status)s.")
                        % {"golongan": self.golongan, "status": self.status},
                        code="golongan",
                    )
                )
        if (self.domisili_latitude is None) != (self.domisili_longitude is None):
            errors.setdefault("domisili_latitude", []).append(
                ValidationError(
                    _("Give both latitude and longitude of the home, or neither."),
                    code="domisili",
                )
            )
        if (
            self.domisili_latitude is not None
            and not -90 <= self.domisili_latitude <= 90
        ):
            errors.setdefault("domisili_latitude", []).append(
                ValidationError(
                    _("Latitude must be between -90 and 90."), code="latitude"
                )
            )
        if (
            self.domisili_longitude is not None
            and not -180 <= self.domisili_longitude <= 180
        ):
            errors.setdefault("domisili_longitude", []).append(
                ValidationError(
                    _("Longitude must be between -180 and 180."), code="longitude"
                )
            )
        if errors:
            raise ValidationError(errors)

    @property
    def subordinate_chain_prefix(self) -> str:
        return f"{self.chain}{self.pk}/"


class RoleAssignment(models.Model):
    """A role beyond "employee" and "supervisor" (which follow from the data)."""

    class Role(models.TextChoices):
        UNIT_ADMIN = "unit_admin", _("Unit admin")
        AUDITOR = "auditor", _("Auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit (for unit admins)"),
    )
    instansi = models.ForeignKey(
        Instansi,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("instansi (for auditors)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role="unit_admin", unit__isnull=False, instansi__isnull=True
                    )
                    | models.Q(
                        role="auditor", instansi__isnull=False, unit__isnull=True
                    )
                ),
                name="role_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "unit"],
                condition=models.Q(role="unit_admin"),
                name="unit_admin_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "instansi"],
                condition=models.Q(role="auditor"),
                name="auditor_once_per_instansi",
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit if self.role == self.Role.UNIT_ADMIN else self.instansi
        return f"{self.get_role_display()}: {scope}"

    def clean(self) -> None:
        if self.role == self.Role.UNIT_ADMIN and (not self.unit_id or self.instansi_id):
            raise ValidationError(
                {"unit": _("A unit admin is scoped to a unit (and no instansi).")}
            )
        if self.role == self.Role.AUDITOR and (not self.instansi_id or self.unit_id):
            raise ValidationError(
                {"instansi": _("An auditor is scoped to an instansi (and no unit).")}
            )
