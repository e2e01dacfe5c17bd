package salesforce_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
)

// org is an emulated org with counters and faults.
type org struct {
	*sftest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startOrg(t *testing.T, opts sftest.Options) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	opts.Counters, opts.Faults = o.counters, o.faults
	o.TestServer = sftest.Start(opts)
	t.Cleanup(o.Close)
	return o
}

// config returns a refresh_token config for the org with fast limits.
func (o *org) config() salesforce.Config {
	id, secret, refresh, _ := o.Credentials()
	return salesforce.Config{LoginURL: o.URL, Flow: salesforce.FlowRefreshToken, ClientID: id,
		ClientSecret: secret, RefreshToken: refresh, Limits: fastLimits()}
}

// requests counts the org's requests whose endpoint ends with suffix ("" = all).
func (o *org) requests(endpoint string) int64 {
	return o.counters.Sum(func(c sandbox.Count) bool {
		return endpoint == "" || c.Endpoint == endpoint
	})
}

func fastLimits() httpx.Limits {
	return httpx.Limits{RequestsPerSecond: 10000, Burst: 10000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}
}

func newClient(t *testing.T, cfg salesforce.Config) *salesforce.Client {
	t.Helper()
	c, err := salesforce.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var (
	keyOnce sync.Once
	keyPEM  string
	keyCert *x509.Certificate
)

// testKey returns a PEM RSA key and a self-signed certificate for it.
func testKey(t *testing.T) (string, *x509.Certificate) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "revops test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		keyCert, err = x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	})
	return keyPEM, keyCert
}

// seed fills the org with a small generated world.
func seed(o *org, records int) {
	w := sandbox.Generate(sandbox.Options{Seed: 7, Records: records})
	o.Seed(w.Project(sandbox.Salesforce))
}
