package snowflake

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Options configure a Snowflake warehouse (the `warehouse:` section with
// type snowflake). Secrets come from a file or the environment; they
// never reach logs or errors.
type Options struct {
	// Account is the account identifier (orgname-account or the locator).
	Account string `yaml:"account"`
	// User is the login name.
	User string `yaml:"user"`
	// Password authenticates with the password; PrivateKeyFile with a
	// key pair (a PEM PKCS#8 or PKCS#1 RSA key, unencrypted): set one.
	Password       string `yaml:"password"`
	PrivateKeyFile string `yaml:"private_key_file"`
	// Role, Warehouse and Database are the session's; Database is where
	// revops's schemas (raw ones, models, _revops) live.
	Role      string `yaml:"role"`
	Warehouse string `yaml:"warehouse"`
	Database  string `yaml:"database"`

	// Host, Port and Protocol override the service address (a local
	// emulator in tests); empty means the account's own host over https.
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Protocol string `yaml:"protocol"`

	// PrivateKeyPEM is the key file's contents (the config's
	// private_key_file arrives so).
	PrivateKeyPEM string `yaml:"-"`
	// PrivateKey is the parsed key (set by code, or read from
	// PrivateKeyPEM or PrivateKeyFile).
	PrivateKey *rsa.PrivateKey `yaml:"-"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_$.\-]+$`)

// Validate checks the options without connecting. It names the setting
// at fault and never echoes a secret.
func (o Options) Validate() error {
	if o.Account == "" {
		return errors.New("account: required (the account identifier, e.g. myorg-myaccount)")
	}
	if !nameRE.MatchString(o.Account) {
		return fmt.Errorf("account: %q is not an account identifier (letters, digits, -, _, .)", o.Account)
	}
	if o.User == "" {
		return errors.New("user: required")
	}
	hasKey := o.PrivateKeyFile != "" || o.PrivateKeyPEM != "" || o.PrivateKey != nil
	switch {
	case o.Password == "" && !hasKey:
		return errors.New("password or private_key_file: one is required")
	case o.Password != "" && hasKey:
		return errors.New("password and private_key_file: set only one")
	}
	if o.Database == "" {
		return errors.New("database: required (the database revops writes its schemas to)")
	}
	for _, f := range []struct{ name, v string }{{"role", o.Role}, {"warehouse", o.Warehouse}, {"database", o.Database}} {
		if f.v != "" && !nameRE.MatchString(f.v) {
			return fmt.Errorf("%s: %q is not a plain name", f.name, f.v)
		}
	}
	if o.Protocol != "" && o.Protocol != "http" && o.Protocol != "https" {
		return fmt.Errorf("protocol: %q (want http or https)", o.Protocol)
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("port: %d is not a port", o.Port)
	}
	if o.Host != "" && o.Port == 0 {
		// gosnowflake reads a host without a port as an account name and
		// would reach the real service.
		return errors.New("port: required when host is set")
	}
	return nil
}

// loadKey reads PrivateKeyFile into PrivateKey.
func (o *Options) loadKey() error {
	if o.PrivateKey != nil {
		return nil
	}
	if o.PrivateKeyPEM != "" {
		key, err := ParsePrivateKey([]byte(o.PrivateKeyPEM))
		if err != nil {
			return fmt.Errorf("private_key_file: %w", err)
		}
		o.PrivateKey = key
		return nil
	}
	if o.PrivateKeyFile == "" {
		return nil
	}
	b, err := os.ReadFile(o.PrivateKeyFile)
	if err != nil {
		return fmt.Errorf("private_key_file: %w", err)
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return fmt.Errorf("private_key_file %s: %w", o.PrivateKeyFile, err)
	}
	o.PrivateKey = key
	return nil
}

// ParsePrivateKey reads an unencrypted RSA key in PEM (PKCS#8 or PKCS#1).
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("not a PEM file")
	}
	if strings.Contains(blk.Type, "ENCRYPTED") {
		return nil, errors.New("the key is encrypted; revops reads unencrypted keys (protect the file instead)")
	}
	if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key (Snowflake key-pair authentication uses RSA)")
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS#8 or PKCS#1 RSA private key")
	}
	return k, nil
}
