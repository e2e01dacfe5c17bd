package configs

import (
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
)

// Snowflake is the `warehouse:` section of `type: snowflake`:
//
//	warehouse:
//	  type: snowflake
//	  account: myorg-myaccount         # the account identifier
//	  user: REVOPS
//	  private_key_file: revops_key.p8  # key-pair (JWT) login: an unencrypted PKCS#8 RSA key
//	  # password: ${SNOWFLAKE_PASSWORD} # or a password (set one of the two)
//	  role: REVOPS_ROLE
//	  warehouse: REVOPS_WH
//	  database: REVOPS                 # revops's schemas (salesforce, core, _revops, ...) live here
//
// private_key_file and password_file are read like every `*_file`
// secret: their contents arrive in PrivateKey and Password and never
// reach a log or an error. host, port and protocol point revops at
// another address (a local emulator); leave them out for the service.
type Snowflake struct {
	Account    string `yaml:"account"`
	User       string `yaml:"user"`
	Password   string `yaml:"password"`
	PrivateKey string `yaml:"private_key"` // PEM, usually given as private_key_file
	Role       string `yaml:"role"`
	Warehouse  string `yaml:"warehouse"`
	Database   string `yaml:"database"`
	Host       string `yaml:"host"`
	Port       int    `yaml:"port"`
	Protocol   string `yaml:"protocol"`
}

var (
	sfAccountRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]*$`)
	sfNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)
)

// Validate checks the section without touching the network. Messages
// name the setting, never a secret's value.
func (s Snowflake) Validate() error {
	switch {
	case s.Account == "":
		return errors.New("account: required (the account identifier, e.g. myorg-myaccount)")
	case !sfAccountRE.MatchString(s.Account):
		return fmt.Errorf("account: %q is not an account identifier (letters, digits, -, _ and .)", s.Account)
	case s.User == "":
		return errors.New("user: required (the login name)")
	case s.Password == "" && s.PrivateKey == "":
		return errors.New("private_key_file: required (or password): how revops logs in")
	case s.Password != "" && s.PrivateKey != "":
		return errors.New("password: set either password or private_key_file, not both")
	case s.Database == "":
		return errors.New("database: required (the database revops writes its schemas to)")
	}
	if s.PrivateKey != "" {
		blk, _ := pem.Decode([]byte(s.PrivateKey))
		switch {
		case blk == nil:
			return errors.New("private_key_file: not a PEM file (want an unencrypted PKCS#8 RSA key, -----BEGIN PRIVATE KEY-----)")
		case blk.Type == "ENCRYPTED PRIVATE KEY":
			return errors.New("private_key_file: the key is encrypted; revops reads unencrypted keys (protect the file instead)")
		case blk.Type != "PRIVATE KEY" && blk.Type != "RSA PRIVATE KEY":
			return fmt.Errorf("private_key_file: a PEM %q block, want PRIVATE KEY", blk.Type)
		}
	}
	for _, f := range []struct{ key, v string }{{"role", s.Role}, {"warehouse", s.Warehouse}, {"database", s.Database}} {
		if f.v != "" && !sfNameRE.MatchString(f.v) {
			return fmt.Errorf("%s: %q is not a plain name (letters, digits, _ and $)", f.key, f.v)
		}
	}
	switch {
	case s.Protocol != "" && s.Protocol != "http" && s.Protocol != "https":
		return fmt.Errorf("protocol: %q (want https, or http for a local emulator)", s.Protocol)
	case s.Port < 0 || s.Port > 65535:
		return fmt.Errorf("port: %d is not a port number", s.Port)
	case s.Host != "" && s.Port == 0:
		return errors.New("port: required with host (without one the driver reads host as an account name)")
	}
	return nil
}
