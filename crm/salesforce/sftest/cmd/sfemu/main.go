// Command sfemu serves the Salesforce emulator (package sftest) on loopback
// with a seeded world and prints one JSON line with its URLs and
// credentials, for scripts that drive it with real client libraries
// (scripts/salesforce/run.sh). It runs until interrupted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// info is the JSON line sfemu prints once it listens.
type info struct {
	InstanceURL  string `json:"instance_url"`
	LoginURL     string `json:"login_url"`
	APIVersion   string `json:"api_version"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	Username     string `json:"username"`
	AccessToken  string `json:"access_token"`
	Records      int    `json:"records"`
}

// run is main without the exit, so that it can be tested.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sfemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	seed := fs.Int64("seed", 1, "world seed")
	records := fs.Int("records", 1000, "approximate number of seeded records (0: none)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	srv := sftest.New(sftest.Options{Counters: sandbox.NewCounters(), Faults: sandbox.NewFaults(*seed)})
	n := 0
	if *records > 0 {
		w := sandbox.Generate(sandbox.Options{Seed: *seed, Records: *records})
		n = len(srv.Seed(w.Project(sandbox.Salesforce)))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "sfemu: listen %s: %v\n", *addr, err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	srv.SetBaseURL(base)
	id, secret, refresh, user := srv.Credentials()
	line, _ := json.Marshal(info{InstanceURL: base, LoginURL: base, APIVersion: srv.APIVersion(), ClientID: id,
		ClientSecret: secret, RefreshToken: refresh, Username: user, AccessToken: srv.AccessToken(), Records: n})
	fmt.Fprintln(stdout, string(line))
	hs := &http.Server{Handler: srv}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "sfemu: serve: %v\n", err)
		return 1
	}
	return 0
}
