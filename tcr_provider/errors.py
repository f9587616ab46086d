"""The errors a user can meet, each carrying what the user needs to act on it.

Every error the provider raises is a `ProviderError`. Its fields say what happened (tests assert on them);
its message, built from those fields, says what to do next (users read it in `pulumi up`).
"""

from __future__ import annotations

from collections.abc import Sequence


class ProviderError(Exception):
    """Base of every error the provider raises on purpose. `registry` names the registry (name and id)."""

    def __init__(self, registry: str, message: str) -> None:
        self.registry = registry
        super().__init__(message)


class SettingsError(ProviderError, ValueError):
    """A configuration value is missing, or present but unusable; the message names the key and the fix."""

    def __init__(self, message: str, key: str | None = None) -> None:
        self.key = key
        super().__init__("", message)


class InvalidInputs(ProviderError, ValueError):
    """Inputs that reached create or update without passing check (or that are not known yet)."""

    def __init__(self, registry: str, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(registry, "; ".join(self.reasons) or "inputs are not known yet")


class ApiError(ProviderError):
    """An API call failed. The message names the registry, the action, the code, the message and the RequestId."""

    def __init__(
        self,
        action: str,
        code: str,
        message: str,
        request_id: str | None,
        registry: str,
        hint: str | None = None,
    ) -> None:
        self.action = action
        self.code = code
        self.api_message = message
        self.request_id = request_id
        self.hint = hint
        text = f"TCR {action} failed for registry {registry}: {code}: {message}"
        if request_id:
            text += f" (RequestId {request_id})"
        if hint:
            text += f". {hint}"
        super().__init__(registry, text)


class DeletionProtected(ProviderError):
    """Delete refused because the instance has deletion protection on; nothing was deleted."""

    def __init__(self, registry: str) -> None:
        super().__init__(
            registry,
            f"registry {registry} was not deleted: deletion protection is on. To delete it, set "
            "deletion_protection=False on the Instance and run `pulumi up`, then delete it again; to "
            "stop managing it without deleting it, run `pulumi state delete <urn>`",
        )


class ProtectedReplacement(ProviderError):
    """A change would replace an instance whose deletion protection is on; refused before anything is bought."""

    def __init__(self, registry: str, replaced_by: Sequence[str]) -> None:
        self.replaced_by = tuple(replaced_by)
        super().__init__(
            registry,
            f"registry {registry} has deletion protection on, and changing {', '.join(self.replaced_by)} "
            "replaces it (a new instance, then the old one deleted). Nothing was changed. Turn protection off "
            "first: set deletion_protection=False with no other change and run `pulumi up`; then make this "
            "change in a second `pulumi up`.",
        )


class AdoptRefused(ProviderError):
    """`adopt_existing` found an instance it must not take over; the instance was left as it is."""

    def __init__(self, registry: str, reason: str, clashes: Sequence[str] = ()) -> None:
        self.reason = reason
        self.clashes = tuple(clashes)
        super().__init__(registry, f"adopt_existing: registry {registry} {reason}")


class CreationFailed(ProviderError):
    """An instance this create bought could not be finished; `cleanup` says what became of it."""

    def __init__(self, registry: str, what_happened: str, cleanup: str, cleaned_up: bool) -> None:
        self.what_happened = what_happened
        self.cleanup = cleanup
        self.cleaned_up = cleaned_up
        super().__init__(registry, f"registry {registry} {what_happened}. {cleanup}")


class RegistryVanished(ProviderError):
    """The instance disappeared during an operation that needs it (a create or an update)."""

    def __init__(self, registry: str, during: str, advice: str) -> None:
        self.during = during
        super().__init__(registry, f"registry {registry} disappeared while it was being {during}; {advice}")


class WaitTimedOut(ProviderError):
    """A bounded wait ended before the registry reached the wanted state."""

    def __init__(self, registry: str, seconds: float, message: str | None = None) -> None:
        self.seconds = seconds
        super().__init__(registry, message or f"{registry} did not reach the wanted state within {seconds:.0f}s")


class AlreadyExists(ProviderError):
    """Create found the object already there, made by someone else: it is never taken over implicitly."""

    def __init__(self, registry: str, what: str, part_id: str) -> None:
        self.what = what
        self.part_id = part_id
        super().__init__(
            registry,
            f"{what} already exists in registry {registry} and was not created by this resource; nothing was "
            "changed. To manage it here, set adopt_existing=True on the resource (or on its ClusterRegistry) and "
            f"run `pulumi up`: it is taken over as {part_id} and brought to the program's settings. Otherwise "
            "delete it, or declare another one",
        )


class NamespaceNotEmpty(ProviderError):
    """A namespace delete refused because it still holds repositories; they are never deleted for the user."""

    def __init__(self, registry: str, namespace: str, repositories: Sequence[str], count: int) -> None:
        self.namespace = namespace
        self.repositories = tuple(repositories)
        self.count = count
        shown = ", ".join(self.repositories[:5]) + (" ..." if count > 5 else "")
        super().__init__(
            registry,
            f"namespace {namespace!r} of registry {registry} was not deleted: it still holds "
            f"{count} repositories ({shown}), which this program does not declare and the "
            "provider never deletes. Delete or move them (console, or DeleteRepository), then run the command again",
        )


class PartGone(ProviderError):
    """What an update needs vanished meanwhile (deleted outside Pulumi)."""

    def __init__(self, registry: str, what: str) -> None:
        self.what = what
        super().__init__(
            registry,
            f"{what} of registry {registry} is gone (deleted outside Pulumi?): run `pulumi refresh`, then `pulumi up` "
            "to create it again",
        )


class Interrupted(ProviderError):
    """The operation was cut short: Ctrl-C or SIGTERM on the CLI (the engine then calls the provider's Cancel),
    or SIGINT to the provider process.

    Waits and retries end with it within a second or so; nothing is deleted because of it.
    """

    def __init__(self, registry: str, message: str | None = None) -> None:
        super().__init__(registry, message or f"registry {registry}: interrupted before the operation finished")
