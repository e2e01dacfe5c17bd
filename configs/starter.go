package configs

import _ "embed"

// Starter is the commented config `revops init` writes.
//
//go:embed starter.yaml
var Starter string
