// Pins the Pulumi CLI that scripts/ensure-pulumi.sh builds. Not part of the Python package.
module tcr-provider.invalid/pulumi-cli

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v3.274.1
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
