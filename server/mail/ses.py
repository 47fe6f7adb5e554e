"""Amazon SES backend (boto3 ``sesv2``), configured by boto3's standard chain.

Region, credentials and ``AWS_ENDPOINT_URL_SESV2`` come from the environment
as for any AWS tool. The sender (``PARLEY_MAIL_FROM``) must be a verified
identity in SES.
"""
from __future__ import annotations

from email.utils import parseaddr

import boto3
from botocore.config import Config as BotoConfig

from server.config import Config
from server.mail.base import Email


class SesMailer:
    name = "ses"

    def __init__(self, config: Config) -> None:
        self.sender = config.mail_from
        self.client = boto3.client("sesv2", config=BotoConfig(connect_timeout=5, read_timeout=15,
                                                               retries={"max_attempts": 2}))

    def send(self, email: Email) -> None:
        self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [email.to]},
            Content={"Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"},
                         "Html": {"Data": email.html, "Charset": "UTF-8"}},
            }},
        )

    def check(self) -> str:
        address = parseaddr(self.sender)[1]
        domain = address.rpartition("@")[2]
        for identity in (address, domain):
            try:
                got = self.client.get_email_identity(EmailIdentity=identity)
            except self.client.exceptions.NotFoundException:
                continue
            if got.get("VerifiedForSendingStatus") or got.get("VerificationStatus") == "SUCCESS":
                return f"ses, sender {identity} verified ({self.client.meta.region_name})"
        raise RuntimeError(f"PARLEY_MAIL_FROM {address} is not a verified SES identity")
