"""API errors as exceptions: each family is a class, a sub-code narrows it (``InvalidParameter.ErrorNameExists``).

The protocol layer turns any :class:`ApiError` into the API 3.0 error envelope, so services only raise.
"""

from __future__ import annotations


class ApiError(Exception):
    """An error the emulated cloud answers with; ``code`` is what the SDK exposes as ``exception.code``."""

    family = "InternalError"

    def __init__(self, message: str, *, sub: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = f"{self.family}.{sub}" if sub else self.family


class InjectedError(ApiError):
    """An error a fault rule asked for, with whatever code the rule names."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Injected by an emulator fault rule: {code}.")
        self.code = code


class AuthFailure(ApiError):
    family = "AuthFailure"


class InvalidAction(ApiError):
    family = "InvalidAction"


class NoSuchVersion(ApiError):
    family = "NoSuchVersion"


class MissingParameter(ApiError):
    family = "MissingParameter"


class UnknownParameter(ApiError):
    family = "UnknownParameter"


class InvalidParameter(ApiError):
    family = "InvalidParameter"


class InvalidParameterValue(ApiError):
    family = "InvalidParameterValue"


class RequestLimitExceeded(ApiError):
    family = "RequestLimitExceeded"


class LimitExceeded(ApiError):
    family = "LimitExceeded"


class OperationDenied(ApiError):
    family = "OperationDenied"


class ResourceNotFound(ApiError):
    family = "ResourceNotFound"


class ResourceInsufficient(ApiError):
    family = "ResourceInsufficient"


class FailedOperation(ApiError):
    family = "FailedOperation"
