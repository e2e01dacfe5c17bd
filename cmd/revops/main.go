// Command revops keeps Zoho and Salesforce in step through a warehouse:
// extract → load → models → sync. main only wires the process to run,
// which tests call directly.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile, err := startProfile(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "revops:", err)
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stopProfile()
	stop()
	os.Exit(code)
}
