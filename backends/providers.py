"""What an account of each provider needs, without loading its client: the name, label,
default base URL, what its secret is called and its other settings.

The backend classes take these from here (backends.base.Backend.__init_subclass__), so
the config can be checked and accounts listed without importing every backend, httpx and
the capability models (`switchboard account list` starts in a fraction of the time);
backends.registry maps the names to the classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.errors import ConfigError


@dataclass(frozen=True)
class AccountField:
    """A non-secret account setting a provider needs besides the base URL."""

    name: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class ProviderInfo:
    """One provider's account metadata."""

    name: str
    label: str
    default_base_url: str
    secret_label: str
    # Whether the account needs a username besides the secret.
    needs_username: bool = True
    extra_fields: tuple[AccountField, ...] = ()


PROVIDER_INFO: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo("360nrs", "360nrs", "https://dashboard.360nrs.com/api/rest", "API password"),
        ProviderInfo(
            "xebo",
            "Xebo",
            "https://{env}-api.xebo.ai",
            "Access token or API key",
            needs_username=False,
            # The collector token travels in the body and is shown on the platform to
            # anyone managing the collector: a setting, not a credential.
            extra_fields=(
                AccountField("env", "Environment", help="datacenter prefix, e.g. az4"),
                AccountField("collector_id", "Collector ID", help="e.g. 66c70e71f57bd9efe12d691d"),
                AccountField(
                    "collector_token", "Collector token", help="from the collector's page"
                ),
                AccountField(
                    "auth",
                    "Secret type",
                    required=False,
                    help="bearer (access token, default) or api-key",
                ),
            ),
        ),
        ProviderInfo("collect", "Collect", "https://api.usecollect.com/v1", "Password"),
        ProviderInfo(
            "8x8",
            "8x8 SMS Engage",
            "https://sms.8x8.com/api/v1",
            "API key",
            needs_username=False,
            extra_fields=(
                AccountField(
                    "subaccount_id",
                    "Subaccount ID",
                    help="from connect.8x8.com: 3-50 letters, digits or - . _ &",
                ),
                AccountField(
                    "survey_id",
                    "Default survey ID",
                    required=False,
                    help="the survey id 8x8 gave you (each send may name another)",
                ),
            ),
        ),
        ProviderInfo(
            "xerochat", "XeroChat", "https://xerochat.com/api", "API key", needs_username=False
        ),
    )
}


def provider_info(name: str) -> ProviderInfo:
    """A provider's account metadata, or ConfigError naming the known providers."""
    try:
        return PROVIDER_INFO[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDER_INFO))
        raise ConfigError(f"unknown provider {name!r} (known: {known})") from None
