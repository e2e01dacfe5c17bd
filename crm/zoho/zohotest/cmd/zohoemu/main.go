// Command zohoemu serves the Zoho emulator (accounts server, CRM v8 and
// Desk v1 on one port) on 127.0.0.1 with a seeded world, and prints one JSON
// line with the URLs and credentials a client needs. It runs until
// interrupted. scripts/zoho/run.sh uses it to test Zoho's Node SDK.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// info is the line printed once the server listens.
type info struct {
	URL          string         `json:"url"`
	AccountsURL  string         `json:"accounts_url"`
	APIDomain    string         `json:"api_domain"`
	DeskURL      string         `json:"desk_url"`
	ClientID     string         `json:"client_id"`
	ClientSecret string         `json:"client_secret"`
	RefreshToken string         `json:"refresh_token"`
	OrgID        string         `json:"org_id"`
	DataCenter   string         `json:"data_center"`
	Records      map[string]int `json:"records"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zohoemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Int64("seed", 1, "world seed")
	records := fs.Int("records", 500, "approximate records per system")
	dc := fs.String("dc", "US", "data center of the org (US, EU, IN, AU, JP, CA, CN, SA)")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s := zohotest.New(zohotest.Options{DataCenter: *dc})
	w := sandbox.Generate(sandbox.Options{Seed: *seed, Records: *records})
	s.SeedCRM(w.Project(sandbox.ZohoCRM))
	s.SeedDesk(w.Project(sandbox.ZohoDesk))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "zohoemu: listen: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	s.SetURLs(base, base, base)
	out := info{URL: base, AccountsURL: base, APIDomain: base, DeskURL: base + "/api/v1",
		ClientID: s.ClientID(), ClientSecret: s.ClientSecret(), RefreshToken: s.RefreshToken(),
		OrgID: s.OrgID(), DataCenter: *dc, Records: map[string]int{}}
	for _, m := range []string{"Accounts", "Contacts", "Leads", "Deals", "Tasks"} {
		out.Records[m] = len(s.Records(m))
	}
	for _, k := range []string{"tickets", "contacts", "accounts"} {
		out.Records["desk_"+k] = len(s.DeskRecords(k))
	}
	line, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(line))

	srv := &http.Server{Handler: s}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		srv.Close()
		return 0
	case err := <-errc:
		fmt.Fprintf(stderr, "zohoemu: serve: %v\n", err)
		return 1
	}
}
