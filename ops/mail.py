"""Send one email (plain text, with an HTML alternative when given) through the city's SMTP server.

SEASTAT_SMTP names it: smtp://host:port (plain, e.g. a relay on the same network),
smtp+starttls://user:password@host:587 (STARTTLS, then login) or smtps://user:password@host:465.
Standard library only (smtplib, email). A failure raises MailError with one line naming the
server (never its password) and the recipients, so the caller can keep the alert for a retry.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

SCHEMES = ("smtp", "smtp+starttls", "smtps")


class MailError(RuntimeError):
    pass


class Mailer:
    def __init__(self, url: str, sender: str, timeout: float = 30.0):
        parts = urlsplit(url or "")
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise MailError(f"SEASTAT_SMTP={_shown(url)!r}: expected smtp://host:port, smtp+starttls://... or smtps://...")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender, self.timeout = sender, timeout

    @property
    def where(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def message(self, to, subject: str, text: str, html: str | None = None, headers: dict | None = None,
                attachments: list[tuple[str, bytes, str]] = ()) -> EmailMessage:
        """attachments: (file name, bytes, MIME type such as application/pdf)."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, ", ".join(to), subject
        msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="seastat")
        for k, v in (headers or {}).items():
            msg[k] = v
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        for name, data, mime in attachments:
            maintype, subtype = mime.split("/", 1)
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        return msg

    def send(self, to, subject: str, text: str, html: str | None = None, headers: dict | None = None,
             attachments: list[tuple[str, bytes, str]] = ()) -> None:
        msg = self.message(to, subject, text, html, headers, attachments)
        try:
            if self.scheme == "smtps":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with conn:
                if self.scheme == "smtp+starttls":
                    conn.starttls(context=ssl.create_default_context())
                if self.user:
                    conn.login(self.user, self.password or "")
                conn.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"{self.where}: could not send {subject!r} to {', '.join(to)}: "
                            f"{' '.join(str(exc).split()) or type(exc).__name__}") from None


def _shown(url: str | None) -> str:
    parts = urlsplit(url or "")
    return url or "" if not parts.password else url.replace(parts.password, "***")
