"""Badge providers (Credly, Accredible): one async httpx client per provider on a shared base.

Each call makes one request and either returns what the provider holds or raises a
``ProviderError`` classed ``transient`` (retry later, maybe after ``retry_after`` seconds) or
``permanent`` (retrying cannot help). Retries belong to the issuer agent, not to these clients.
"""

from faust_badges.providers.accredible import AccredibleClient
from faust_badges.providers.base import IssueResult, ProviderClient, ProviderError
from faust_badges.providers.credly import CredlyClient
from faust_badges.providers.names import split_name

__all__ = [
    "AccredibleClient",
    "CredlyClient",
    "IssueResult",
    "ProviderClient",
    "ProviderError",
    "split_name",
]
