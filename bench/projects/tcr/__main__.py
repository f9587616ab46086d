"""N registries of `tcr_provider.Instance`; `bench/run.py` sets count, prefix, instanceType and tag in config."""

import pulumi

from tcr_provider import Instance, InstanceArgs

config = pulumi.Config()
count = config.require_int("count")
prefix = config.require("prefix")
instance_type = config.get("instanceType") or "basic"
tag = config.get("tag") or "a"

for i in range(count):
    Instance(f"r{i:03d}", InstanceArgs(name=f"{prefix}-{i:03d}", instance_type=instance_type, tags={"bench": tag}))
