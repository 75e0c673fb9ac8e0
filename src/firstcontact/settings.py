"""One Settings object for the whole platform, read from FIRSTCONTACT_* environment variables.

Policy that a policing expert edits (grading, review intervals, indicator lists) lives in data
files inside the rooms, not here; this holds how the platform runs.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """How this installation runs. Every field can be set as FIRSTCONTACT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="FIRSTCONTACT_", env_file=None)

    database_url: str = "sqlite:///firstcontact.db"
    force_name: str = "Demo Constabulary"
    secret_key: str = "change-me-in-production"  # noqa: S105 (set FIRSTCONTACT_SECRET_KEY)
    session_hours: int = 10
    """A session ends this long after sign-in, however busy (absolute expiry)."""
    session_idle_minutes: int = 60
    """A session unused this long ends (idle expiry): a desk left signed in does not stay open."""
    cookie_secure: bool = False
    login_attempts_allowed: int = 5
    """Failed sign-ins for one username within the lockout window before it locks."""
    login_attempts_per_address: int = 50
    """Failed sign-ins from one address (a whole control room may share one) before it locks."""
    login_lockout_minutes: int = 15
    narrative_max_chars: int = 20_000
    timer_interval_seconds: float = 5.0
    timer_enabled: bool = True
    metrics_token: str = ""
    """Bearer token a scraper sends to GET /metrics; empty: only loopback clients are answered
    (docs/operations.md, Monitoring)."""
    log_json: bool = True
    log_level: str = "INFO"
    static_dir: str = ""
    """Where the built front-end assets are; empty means the package's web/static folder."""
    smtp_host: str = ""
    """The mail relay for victims' emails; empty means email is not sent (staff use letters)."""
    smtp_port: int = 25
    smtp_from: str = "victim-care@force.example"
    smtp_timeout_seconds: float = 10.0
    notify_api_key: str = ""
    """GOV.UK Notify API key; empty means Notify is not used (texts are not sent)."""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_sms_template_id: str = ""
    """The Notify text-message template for the acknowledgement (its body: ((body)))."""
    notify_email_template_id: str = ""
    """The Notify email template; when set (with the key), Notify sends victims' email
    instead of the mail relay."""
    notify_timeout_seconds: float = 10.0
    force_contact: str = "Call 101, or 999 in an emergency, quoting your crime reference."
    """How a victim contacts the force: printed on every acknowledgement."""
    email_listen_host: str = "127.0.0.1"
    """Where `firstcontact email listen` takes inbound email for the digital desk (SMTP)."""
    email_listen_port: int = 8025
    email_desk_address: str = "digital-desk@example.police.uk"
    """The address the public write to; the listener refuses mail for any other recipient."""
    email_smtp_host: str = "127.0.0.1"
    """The mail server that carries the desk's replies and acknowledgements out."""
    email_smtp_port: int = 25
    email_max_bytes: int = 10 * 1024 * 1024
    """Largest whole message accepted (SMTP answers 552 above it)."""
    email_attachment_max_bytes: int = 5 * 1024 * 1024

    # Social-media direct messages (docs/social-media.md). Empty secrets refuse every webhook.
    meta_app_secret: str = ""
    """Signs Meta's webhooks (X-Hub-Signature-256): Messenger, Instagram and WhatsApp."""
    meta_verify_token: str = ""
    """Chosen by the force and entered in the Meta app's webhook settings (the handshake)."""
    meta_page_access_token: str = ""
    """Sends Messenger and Instagram replies."""
    whatsapp_access_token: str = ""
    meta_graph_url: str = "https://graph.facebook.com/v21.0"
    x_consumer_secret: str = ""
    """Signs X's webhooks and answers its CRC check."""
    x_user_access_token: str = ""
    """OAuth 2.0 user token of the force's X account, with dm.write, to send replies."""
    x_api_url: str = "https://api.x.com"
    social_send_timeout_seconds: float = 10.0
    webhook_posts_per_minute: int = 600
    """Webhook calls one address may make in a minute (429 above it; the platforms retry).
    Meta and X deliver from a handful of addresses, so this is high: it stops a flood of
    forged calls costing a signature check and a database write each, not real traffic."""
    email_messages_per_hour: int = 30
    """Emails one sender address may send the desk in an hour (451 above it: retried later)."""
    email_messages_per_server_hour: int = 2000
    """Emails one sending server may hand over in an hour (large providers carry many people)."""
    chat_starts_per_hour: int = 10
    """Live chats one address may open in an hour before it is told to wait (429)."""
    chat_messages_per_minute: int = 30
    """Chat messages one address may send in a minute."""
