"""A local Tencent Container Registry (TCR Enterprise) API: TCR, Tag and CAM on one port.

Run it with ``python -m tcr_provider.emulator`` or in-process with ``with Emulator() as emu: ...``.
The unmodified tencentcloud SDK talks to it through
``ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:PORT"))``.

Layout: :mod:`.protocol` (TC3 signatures, parameter decoding, envelopes), :mod:`.schema` (declared
parameters), :mod:`.services` (one module per API over plain-Python backends), :mod:`.rules` (the
behaviour rules), :mod:`.faults` and :mod:`.throttle` (what happens to a call before it is served), and
:mod:`.server` (HTTP and the control endpoints).
"""

from .server import Emulator

__all__ = ["Emulator"]
