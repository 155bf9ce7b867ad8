"""The monthly report: every figure against a counted fixture, small cells hidden so totals
cannot give them away, a month that has not ended refused, and the PDF made by a real worker."""

import datetime as dt
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from complaints.models import Complaint
from complaints.tests.factories import complaint
from core import monthly_report
from core.choices import JobStatus, Role
from core.models import AuditEvent, Job, MonthlyReport
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db

LAST_MONTH = monthly_report.previous_month()


def _in_last_month(queryset):
    queryset.update(created_at=dt.datetime.combine(LAST_MONTH, dt.time(10), tzinfo=dt.UTC))


def _table(tables, title):
    return next(table for table in tables if str(table["title"]) == title)


def _fixture(village_a, village_b):
    """Counted: 14 households in village A's district (6 + 7 + 1 complainants), 4 in village
    B's (2 + 2); last month 7 health complaints (A) and 2 about education (B)."""
    for _number in range(6):
        make_household(village_a)
    for _number in range(2):
        make_household(village_b)
    for _number in range(7):
        complaint(village_a, category="health")
    for _number in range(2):
        complaint(village_b, category="education")
    _in_last_month(Complaint.objects.all())
    # received this month: not in last month's report
    complaint(village_a, category="health")


def test_each_figure_is_the_count_of_the_month_and_small_cells_are_hidden(village_a, village_b):
    _fixture(village_a, village_b)
    with translation.override("en"):
        with_k2 = monthly_report.report_tables(LAST_MONTH, k=2)
        with_k5 = monthly_report.report_tables(LAST_MONTH, k=5)
    registry = _table(with_k2, "Households in the registry per desil")
    by_district = {line["label"]: line for line in registry["lines"]}
    assert by_district[village_a.parent.name]["total"] == 14
    assert by_district[village_b.parent.name]["total"] == 4
    assert registry["totals"]["total"] == 18
    complaints = _table(with_k2, "Complaints received this month")
    health = next(line for line in complaints["lines"] if line["label"] == "Health")
    assert health["cells"] == [0, 7, 0] and health["total"] == 7
    assert complaints["totals"]["total"] == 9
    # with k = 5 the district of 4 households and the 2 education complaints are hidden, and so
    # is a second figure of each line, so that no total gives them away
    registry = _table(with_k5, "Households in the registry per desil")
    by_district = {line["label"]: line for line in registry["lines"]}
    assert by_district[village_b.parent.name]["total"] is None
    assert None in (by_district[village_a.parent.name]["total"], registry["totals"]["total"])
    complaints = _table(with_k5, "Complaints received this month")
    education = next(line for line in complaints["lines"] if line["label"] == "Education")
    health = next(line for line in complaints["lines"] if line["label"] == "Health")
    assert education["cells"][1] is None and education["total"] is None
    assert None in (health["cells"][1], complaints["totals"]["cells"][1])
    shown = [value for line in complaints["lines"] for value in line["cells"] if value]
    assert all(value >= 5 for value in shown)


def test_a_month_that_has_not_ended_is_refused_with_its_field(client, login, make_user):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    this_month = dt.date.today().strftime("%Y-%m")
    page = client.post(reverse("core:monthly_report_list"), {"month": this_month})
    assert page.status_code == 200
    assert page.context["form"].errors["month"]
    assert not Job.objects.exists()
    page = client.post(reverse("core:monthly_report_list"), {"month": "bulan lalu"})
    assert page.context["form"].errors["month"]


def test_only_the_regencys_offices_read_the_reports(client, login, make_user, village_a):
    report = MonthlyReport(month=LAST_MONTH, k=5)
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4"), save=False)
    report.xlsx.save("r.xlsx", ContentFile(b"PK"), save=False)
    report.save()
    pdf = reverse("core:monthly_report_file", args=[report.pk, "pdf"])
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    assert client.get(reverse("core:monthly_report_list")).status_code == 403
    assert client.get(pdf).status_code == 403
    login(client, make_user(Role.REGENT_OFFICE, "19.04"))
    assert client.get(reverse("core:monthly_report_list")).status_code == 200
    assert client.get(pdf).status_code == 200
    assert AuditEvent.objects.filter(action="export", object_id=str(report.pk)).count() == 1
    other = reverse("core:monthly_report_file", args=[report.pk, "csv"])
    assert client.get(other).status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_report_is_made_by_a_worker_as_a_pdf_and_a_spreadsheet(
    client, login, make_user, village_a, village_b, celery_worker_thread, settings
):
    settings.SILAKSO_DISCLOSURE_K = 2  # every count of the fixture shown
    _fixture(village_a, village_b)
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    login(client, kabid)
    answer = client.post(
        reverse("core:monthly_report_list"), {"month": LAST_MONTH.strftime("%Y-%m")}
    )
    job = Job.objects.get(started_by=kabid)
    assert answer["Location"] == reverse("core:job_detail", args=[job.pk])
    deadline = time.monotonic() + 60
    while not Job.objects.get(pk=job.pk).is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    report = MonthlyReport.objects.get(month=LAST_MONTH)
    assert report.generated_by == kabid and report.k == 2
    listing = client.get(reverse("core:monthly_report_list")).content.decode()
    pdf_url = reverse("core:monthly_report_file", args=[report.pk, "pdf"])
    assert pdf_url in listing
    pdf = b"".join(client.get(pdf_url).streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Rumah tangga di data terpadu per desil" in text
    assert "Pengaduan yang diterima bulan ini" in text
    assert "Kesehatan" in text
    xlsx = b"".join(
        client.get(reverse("core:monthly_report_file", args=[report.pk, "xlsx"])).streaming_content
    )
    workbook = load_workbook(io.BytesIO(xlsx))
    complaints = next(sheet for sheet in workbook if "Pengaduan" in sheet.title)
    rows = {row[0]: row for row in complaints.iter_rows(values_only=True) if row and row[0]}
    assert rows["Kesehatan"][1:] == (0, 7, 0, 7)
