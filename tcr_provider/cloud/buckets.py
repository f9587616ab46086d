"""Finding a registry's COS bucket through the COS API, never by guessing its name.

No TCR API reports an instance's bucket, and ModifyInstanceStorage can move an instance to another one, so
the bucket is confirmed by listing the account's buckets in the instance's region (COS GET Service). The only
published hint of the naming is an example in the ModifyInstanceStorage reference, `tcr-dc0d****-1255******`,
i.e. `<registryId>-<AppId>`: a bucket is taken as the registry's when its name starts with `<registryId>-`,
and only when exactly one bucket does.

The lookup never raises: whatever stops it (no permission, no match, several matches, COS unreachable) comes
back as the reason there is no bucket, because a create must not fail, nor a bought instance be given up, for
the sake of an output.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..settings import CredentialSource
from .batcher import ReadBatcher
from .retry import RETRY_POLICY, CallKind
from .transport import Transport

# The global GET Service endpoint; with the region filter it lists one region's buckets.
COS_SERVICE_DOMAIN = "service.cos.myqcloud.com"
LIST_PAGE_SIZE = 2000  # the most COS answers per page
# A guard against a service that keeps saying "truncated": far more buckets than an account may hold.
MAX_PAGES = 100
COS_TIMEOUT_SECONDS = 15
# COS actions are paced apart from TCR's, under the name of the CAM permission they need.
GET_SERVICE = "cos:GetService"
FORBIDDEN = 403


class Unconfirmed(enum.Enum):
    """Why no bucket is reported."""

    NO_PERMISSION = "no permission"
    NO_MATCH = "no match"
    SEVERAL_MATCHES = "several matches"
    UNREACHABLE = "unreachable"
    FAILED = "failed"  # COS answered something else: another error, or a listing that could not be read


@dataclass(frozen=True)
class BucketLookup:
    """The registry's bucket and its region, or (both empty) `unconfirmed` and a `reason` a user can act on."""

    bucket: str = ""
    region: str = ""
    unconfirmed: Unconfirmed | None = None
    reason: str = ""

    @property
    def confirmed(self) -> bool:
        return self.unconfirmed is None


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str


class _LookupFailed(Exception):
    def __init__(self, lookup: BucketLookup) -> None:
        super().__init__(lookup.reason)
        self.lookup = lookup


class CosBuckets:
    """COS bucket lookups with the credentials, endpoint override and pacing of the TCR transport.

    Concurrent lookups in one region share their listing (a stack of 50 new registries lists the region's
    buckets a few times, not 50 times), and each is answered by a listing sent after it was asked for, so a
    bucket made just before is never missed (see ReadBatcher).
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._lookups: ReadBatcher[BucketLookup] = ReadBatcher(self._find_many)

    def find(self, region: str, registry_id: str) -> BucketLookup:
        """The one bucket in `region` whose name starts with `<registry_id>-`, or why there is none."""
        found = self._lookups.get(region, registry_id)
        assert found is not None  # _find_many answers every id it is asked about
        return found

    def _find_many(self, region: str, registry_ids: Sequence[str]) -> dict[str, BucketLookup]:
        try:
            buckets = list(self._buckets(region))
        except _LookupFailed as failure:
            return dict.fromkeys(registry_ids, failure.lookup)
        except Exception as exc:
            failed = BucketLookup(
                unconfirmed=Unconfirmed.FAILED,
                reason=f"the COS bucket listing could not be read ({type(exc).__name__}: {exc})",
            )
            return dict.fromkeys(registry_ids, failed)
        return {registry_id: _match(region, registry_id, buckets) for registry_id in registry_ids}

    def _buckets(self, region: str) -> Iterator[Bucket]:
        client = self._client(region)
        marker = ""
        for _ in range(MAX_PAGES):
            page = self._page(client, region, marker)
            buckets = page.get("Buckets")
            items = buckets.get("Bucket") if isinstance(buckets, Mapping) else None
            if isinstance(items, Mapping):
                items = [items]
            names: list[str] = []
            for item in items or []:
                name = str(item.get("Name") or "")
                names.append(name)
                yield Bucket(name, str(item.get("Location") or ""))
            if str(page.get("IsTruncated") or "").lower() != "true":
                return
            next_marker = str(page.get("NextMarker") or (names[-1] if names else ""))
            if not next_marker or next_marker == marker:
                raise _LookupFailed(
                    BucketLookup(
                        unconfirmed=Unconfirmed.FAILED,
                        reason="COS said the bucket listing goes on but gave no next page",
                    )
                )
            marker = next_marker
        raise _LookupFailed(
            BucketLookup(
                unconfirmed=Unconfirmed.FAILED,
                reason=f"the COS bucket listing did not end within {MAX_PAGES} pages",
            )
        )

    def _page(self, client: Any, region: str, marker: str) -> Mapping[str, Any]:
        """One GET Service page; network errors and 5xx answers are tried again as the retry policy says."""
        from qcloud_cos.cos_exception import CosClientError, CosServiceError

        rule = RETRY_POLICY[CallKind.BEST_EFFORT]
        attempt = 0
        while True:
            attempt += 1
            self.transport.pacer.wait_turn(GET_SERVICE)
            try:
                page: Mapping[str, Any] = client.list_buckets(Region=region, Marker=marker, MaxKeys=LIST_PAGE_SIZE)
                return page
            except CosServiceError as exc:
                status = int(exc.get_status_code() or 0)
                if status < 500 or attempt >= rule.attempts:
                    raise _LookupFailed(self._refused(exc, status, attempt)) from None
            except CosClientError as exc:
                if attempt >= rule.attempts:
                    raise _LookupFailed(
                        BucketLookup(
                            unconfirmed=Unconfirmed.UNREACHABLE,
                            reason=f"COS at {self._where()} did not answer after {attempt} tries ({exc})",
                        )
                    ) from None
            time.sleep(rule.backoff(attempt))

    def _refused(self, exc: Any, status: int, attempts: int) -> BucketLookup:
        # The SDK reads Code, Message and RequestId out of an XML error body; any other body stays text.
        digest = exc.get_digest_msg()
        fields = digest if isinstance(digest, Mapping) else {}
        code = str(fields.get("code") or "(no error code)")
        message = str(fields.get("message") or exc.get_origin_msg() or "").strip()
        answer = f"COS GetService answered HTTP {status} {code}: {message}"
        if fields.get("requestid"):
            answer += f" (RequestId {fields['requestid']})"
        if status == FORBIDDEN:
            source = self.transport.credentials
            credentials = f"the credentials from {source.origin} (SecretId {source.secret_id_hint})"
            if code == "AccessDenied":
                advice = (
                    f"{credentials} may not list the account's buckets: grant them the CAM permission cos:GetService"
                )
            else:
                advice = f"COS refused {credentials}: check them"
            return BucketLookup(unconfirmed=Unconfirmed.NO_PERMISSION, reason=f"{answer}; {advice}")
        if status >= 500:
            return BucketLookup(unconfirmed=Unconfirmed.UNREACHABLE, reason=f"{answer}, after {attempts} tries")
        return BucketLookup(unconfirmed=Unconfirmed.FAILED, reason=answer)

    def _where(self) -> str:
        endpoint = self.transport.settings.endpoint
        return f"{endpoint.scheme}://{endpoint.host}" if endpoint.host else f"https://{COS_SERVICE_DOMAIN}"

    def _client(self, region: str) -> Any:
        # Built per lookup: a lookup is rare (a create or an adoption), the client's HTTP session is not
        # shared between threads, and a refreshed temporary credential is read afresh.
        from qcloud_cos import CosConfig, CosS3Client

        secret_id, secret_key, token = _secrets(self.transport.credentials)
        endpoint = self.transport.settings.endpoint
        # list_buckets builds its own URL from ServiceDomain; the region only filters.
        domain = {"ServiceDomain": endpoint.host, "Scheme": endpoint.scheme} if endpoint.host else {}
        config = CosConfig(
            SecretId=secret_id,
            SecretKey=secret_key,
            Token=token,
            Region=region,
            Timeout=COS_TIMEOUT_SECONDS,
            **domain,
        )
        # retry=0: the SDK's own loop would repeat under ours; RETRY_POLICY is the one place for attempts.
        return CosS3Client(config, retry=0)


def _secrets(source: CredentialSource) -> tuple[str, str, str | None]:
    """SecretId, SecretKey and token of the credential the TCR calls are signed with."""
    credential = source.credential
    # The SDK's refreshing credentials (CVM role, STS, OIDC) hand out all three at once, so they match.
    info = getattr(credential, "get_credential_info", None)
    if callable(info):
        secret_id, secret_key, token = info()
    else:
        secret_id = getattr(credential, "secret_id", None)
        secret_key = getattr(credential, "secret_key", None)
        token = getattr(credential, "token", None)
    return str(secret_id or ""), str(secret_key or ""), str(token) if token else None


def _match(region: str, registry_id: str, buckets: Sequence[Bucket]) -> BucketLookup:
    prefix = f"{registry_id}-"
    matches = [bucket for bucket in buckets if bucket.name.startswith(prefix)]
    if not matches:
        return BucketLookup(
            unconfirmed=Unconfirmed.NO_MATCH,
            reason=f"no COS bucket in {region} is named {prefix}...; it may have been switched to another "
            "bucket (ModifyInstanceStorage) or deleted",
        )
    if len(matches) > 1:
        names = ", ".join(sorted(bucket.name for bucket in matches))
        return BucketLookup(
            unconfirmed=Unconfirmed.SEVERAL_MATCHES,
            reason=f"several COS buckets in {region} are named {prefix}... ({names}), so none is certain",
        )
    (bucket,) = matches
    return BucketLookup(bucket=bucket.name, region=bucket.region or region)
