package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"

	"github.com/revops/revops/crm/httpx"
)

// OAuth flows Config.Flow accepts.
const (
	FlowRefreshToken      = "refresh_token"
	FlowClientCredentials = "client_credentials"
	FlowJWT               = "jwt"
)

// jwtLifetime is the exp of a JWT bearer assertion: Salesforce wants it
// "within 3 minutes" and refuses x/oauth2/jwt's default of one hour.
const jwtLifetime = 3 * time.Minute

// tokenPath is the OAuth token endpoint under the login URL.
const tokenPath = "/services/oauth2/token"

// tokenFunc returns the grant of cfg.Flow, sending through hc.
func tokenFunc(cfg Config, hc *http.Client) (httpx.TokenFunc, error) {
	tokenURL := strings.TrimRight(cfg.LoginURL, "/") + tokenPath
	var fetch func(ctx context.Context) (*oauth2.Token, error)
	switch cfg.Flow {
	case FlowRefreshToken, "":
		if cfg.ClientID == "" || cfg.RefreshToken == "" {
			return nil, errors.New("the refresh_token flow needs a client id and a refresh token")
		}
		oc := &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		fetch = func(ctx context.Context) (*oauth2.Token, error) {
			return oc.TokenSource(ctx, &oauth2.Token{RefreshToken: cfg.RefreshToken}).Token()
		}
	case FlowClientCredentials:
		if cfg.ClientID == "" || cfg.ClientSecret == "" {
			return nil, errors.New("the client_credentials flow needs a client id and secret")
		}
		cc := &clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}
		fetch = cc.Token
	case FlowJWT:
		if cfg.ClientID == "" || cfg.Username == "" || cfg.PrivateKeyPEM == "" {
			return nil, errors.New("the jwt flow needs a client id, a username and a private key")
		}
		jc := &jwt.Config{Email: cfg.ClientID, Subject: cfg.Username, PrivateKey: []byte(cfg.PrivateKeyPEM),
			TokenURL: tokenURL, Audience: audience(cfg.LoginURL), Expires: jwtLifetime}
		fetch = func(ctx context.Context) (*oauth2.Token, error) { return jc.TokenSource(ctx).Token() }
	default:
		return nil, fmt.Errorf("unknown OAuth flow %q (want refresh_token, client_credentials or jwt)", cfg.Flow)
	}
	flow := cfg.Flow
	if flow == "" {
		flow = FlowRefreshToken
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		// The token endpoint goes through the same transport (limits,
		// retries; a grant is safe to repeat), without the Auth layer.
		ctx = context.WithValue(httpx.Retryable(ctx), oauth2.HTTPClient, hc)
		tok, err := fetch(ctx)
		if err != nil {
			return nil, authError(flow, err)
		}
		return tok, nil
	}, nil
}

// audience is the JWT aud: the login host (https://login.salesforce.com,
// https://test.salesforce.com or the My Domain / emulator URL), without a
// trailing slash or path.
func audience(loginURL string) string {
	return strings.TrimRight(loginURL, "/")
}

// authError turns the oauth2 package's error into an *AuthError without
// keeping the request (whose form holds the credentials).
func authError(flow string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// Parse errors of the key and transport errors carry no secrets.
		return fmt.Errorf("%s flow: %w", flow, err)
	}
	ae := &AuthError{Flow: flow, Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		ae.Status = re.Response.StatusCode
	}
	if ae.Code == "" {
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil && body.Error != "" {
			ae.Code, ae.Description = body.Error, body.Description
		} else {
			b := bytes.TrimSpace(re.Body)
			if len(b) > 200 {
				b = b[:200]
			}
			ae.Code, ae.Description = "unexpected_answer", string(b)
		}
	}
	return ae
}

// sessionExpired recognizes Salesforce's answer to a dead access token:
// 401 with errorCode INVALID_SESSION_ID.
func sessionExpired(resp *http.Response, body []byte) bool {
	return resp.StatusCode == http.StatusUnauthorized && bytes.Contains(body, []byte("INVALID_SESSION_ID"))
}

// instanceURL reads instance_url from a token response.
func instanceURL(tok *oauth2.Token) string {
	s, _ := tok.Extra("instance_url").(string)
	return strings.TrimRight(s, "/")
}
