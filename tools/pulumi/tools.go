//go:build tools

// Package tools pins the Pulumi CLI that the engine tests run. Its version must
// match the @pulumi/pulumi npm dependency (see install.sh).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
