"""A local Tencent Container Registry (TCR Enterprise) API: TCR, Tag, CAM and COS on one port.

Run it with ``python -m tcr_provider.emulator`` or in-process with ``with Emulator() as emu: ...``.
The unmodified tencentcloud SDK talks to it through
``ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:PORT"))``, and the COS SDK through
``CosConfig(..., Scheme="http", ServiceDomain="127.0.0.1:PORT")``.

Layout: :mod:`.protocol` (TC3 signatures, parameter decoding, envelopes), :mod:`.schema` (declared
parameters), :mod:`.services` (one package per API: a plain-Python ``model`` and the ``api`` actions over
it), :mod:`.rules` (the behaviour rules), :mod:`.faults` (fault rules and their effects) and
:mod:`.throttle` (the rate limit), and :mod:`.server` (HTTP, the request pipeline and the control endpoints).
"""

from .server import Emulator

__all__ = ["Emulator"]
