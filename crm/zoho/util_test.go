package zoho_test

import (
	"strconv"
	"time"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// serverCalls returns the emulator's request count once it reaches want
// (the middleware counts a request after answering it) or a second passed.
func serverCalls(ts *zohotest.TestServer, want int64) int64 {
	deadline := time.Now().Add(time.Second)
	for {
		n := ts.Counters().Sum(nil)
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func time_(sec int) time.Duration { return time.Duration(sec) * time.Second }
