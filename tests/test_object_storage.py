"""Uploaded files on an S3-compatible object store (S3_BUCKET): a real S3 API over HTTP (moto's
server, standing in for MinIO or AWS), through Django's storage API. The upload lands in the
bucket as a private object; the download streams through the app behind the access policy;
another organization gets 404 and no link to the object is ever handed out."""

from __future__ import annotations

import socket

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.settings.base import uploaded_files_storage
from discovery.models import ReviewedReport

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "switchboard-files"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(settings, monkeypatch):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("S3_BUCKET", BUCKET)
    monkeypatch.setenv("S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "switchboard")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "switchboard-secret")
    monkeypatch.setenv("S3_REGION", "us-east-1")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="switchboard",
        aws_secret_access_key="switchboard-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    # The settings exactly as production builds them from the environment.
    settings.STORAGES = {**settings.STORAGES, "default": uploaded_files_storage()}
    yield client
    server.stop()


def test_an_upload_lives_in_the_bucket_and_comes_back_through_the_app(
    s3, api, partnership, implementation_pm, client_executive, outsider
):
    assert uploaded_files_storage()["BACKEND"] == "storages.backends.s3.S3Storage"
    api.force_authenticate(implementation_pm.user)
    reports = reverse(
        "api:report-list", kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk}
    )
    response = api.post(
        reports,
        {
            "name": "Caller survey Q1",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "file": SimpleUploadedFile("survey.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()

    # In the bucket, private (no grant to everyone), under the stored name.
    stored = ReviewedReport.objects.get().file.name
    obj = s3.get_object(Bucket=BUCKET, Key=stored)
    assert obj["Body"].read() == PDF_BYTES
    grants = s3.get_object_acl(Bucket=BUCKET, Key=stored)["Grants"]
    assert not any("AllUsers" in str(grant.get("Grantee", {})) for grant in grants)
    # The API hands out the app's own download address, never the store's.
    assert "127.0.0.1" not in str(body) and BUCKET not in body["download_url"]

    api.force_authenticate(client_executive.user)
    downloaded = api.get(body["download_url"])
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PDF_BYTES

    api.force_authenticate(outsider.user)
    assert api.get(body["download_url"]).status_code == 404
