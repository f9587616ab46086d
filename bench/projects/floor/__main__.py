"""N do-nothing dynamic resources: the floor any Python dynamic provider pays. Same config as the tcr project."""

import pulumi
from bench_noop import Noop

config = pulumi.Config()
count = config.require_int("count")
prefix = config.require("prefix")
instance_type = config.get("instanceType") or "basic"
tag = config.get("tag") or "a"

for i in range(count):
    Noop(f"r{i:03d}", name=f"{prefix}-{i:03d}", instance_type=instance_type, tags={"bench": tag})
