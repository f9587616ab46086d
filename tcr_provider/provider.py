"""Where a state written before the Instance moved to resources/instance/ finds its provider.

Pulumi stores every resource's provider pickled by reference (`tcr_provider.provider.InstanceProvider`), and a
refresh or destroy unpickles it from the state before any program runs; the next `up` stores the new path.
"""

from .resources.instance.provider import InstanceProvider

__all__ = ["InstanceProvider"]
