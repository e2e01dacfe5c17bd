// Package httpx holds what every revops API client shares on the wire:
// the client-side limits a source's config sets (and, as the clients
// grow, the RoundTripper chain that enforces them).
package httpx

import (
	"errors"
	"fmt"
	"time"
)

// Limits bound how hard a client presses an API. Zero values take the defaults.
type Limits struct {
	// RequestsPerSecond caps the steady request rate (default 10).
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// Burst is how many requests may go at once above the rate (default 10).
	Burst int `yaml:"burst"`
	// Concurrency caps requests in flight (default 4).
	Concurrency int `yaml:"concurrency"`
	// MaxRetries bounds retries of one idempotent request (default 5).
	MaxRetries int `yaml:"max_retries"`
	// Timeout bounds one request (default 60s).
	Timeout time.Duration `yaml:"timeout"`
}

// WithDefaults returns l with zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	if l.RequestsPerSecond == 0 {
		l.RequestsPerSecond = 10
	}
	if l.Burst == 0 {
		l.Burst = 10
	}
	if l.Concurrency == 0 {
		l.Concurrency = 4
	}
	if l.MaxRetries == 0 {
		l.MaxRetries = 5
	}
	if l.Timeout == 0 {
		l.Timeout = 60 * time.Second
	}
	return l
}

// Validate reports the first bad field as "limits.<key>: reason".
func (l Limits) Validate() error {
	switch {
	case l.RequestsPerSecond < 0:
		return errors.New("limits.requests_per_second: must not be negative")
	case l.Burst < 0:
		return errors.New("limits.burst: must not be negative")
	case l.Concurrency < 0 || l.Concurrency > 64:
		return fmt.Errorf("limits.concurrency: %d is outside 1..64", l.Concurrency)
	case l.MaxRetries < 0 || l.MaxRetries > 20:
		return fmt.Errorf("limits.max_retries: %d is outside 0..20", l.MaxRetries)
	case l.Timeout < 0:
		return errors.New("limits.timeout: must not be negative")
	}
	return nil
}
