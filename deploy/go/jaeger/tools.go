//go:build tools

// Package tools pins the Jaeger v2 binary's main package so `go mod tidy` keeps it.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
