"""COS errors: an HTTP status and a Code, answered as ``<Error>`` XML (see :func:`.api.error_answer`)."""

from __future__ import annotations


class CosError(Exception):
    status: int = 400
    code: str = "InvalidRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(CosError):
    code = "InvalidArgument"


class InvalidBucketName(CosError):
    code = "InvalidBucketName"


class AccessDenied(CosError):
    status = 403
    code = "AccessDenied"


class InvalidAccessKeyId(CosError):
    status = 403
    code = "InvalidAccessKeyId"


class SignatureDoesNotMatch(CosError):
    status = 403
    code = "SignatureDoesNotMatch"


class MethodNotAllowed(CosError):
    status = 405
    code = "MethodNotAllowed"


class BucketAlreadyExists(CosError):
    status = 409
    code = "BucketAlreadyExists"


class InternalError(CosError):
    status = 500
    code = "InternalError"


class NotImplementedByEmulator(CosError):
    status = 501
    code = "NotImplemented"


# The statuses COS answers these codes with, for an error a fault rule asks for by its code.
_STATUS_OF_CODE = {
    error.code: error.status
    for error in (
        InvalidArgument,
        InvalidBucketName,
        AccessDenied,
        InvalidAccessKeyId,
        SignatureDoesNotMatch,
        MethodNotAllowed,
        BucketAlreadyExists,
        InternalError,
        NotImplementedByEmulator,
    )
}
_STATUS_OF_CODE |= {"RequestTimeTooSkewed": 403, "NoSuchBucket": 404, "ServiceUnavailable": 503, "SlowDown": 503}


class InjectedCosError(CosError):
    """An error a fault rule asked for, with whatever code the rule names (HTTP 400 for a code not listed)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Injected by an emulator fault rule: {code}.")
        self.code = code
        self.status = _STATUS_OF_CODE.get(code, 400)
