// Package schedule runs a job on a schedule, one run at a time, and
// keeps one process per warehouse with a lock file.
//
// A Schedule says when the next tick is: Every (a fixed interval from
// the start) or a cron expression (Parse). A Loop calls its job at each
// tick; a tick that comes while a run is still in flight is skipped and
// reported (runs never overlap). Lock is a lock file beside the
// warehouse holding the pid, host and start time of its holder; a lock
// whose process is gone is taken over and reported.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule gives the tick after t.
type Schedule interface {
	// Next returns the first tick strictly after t.
	Next(t time.Time) time.Time
	// String describes the schedule for people ("every 15m0s").
	String() string
}

// Every ticks at a fixed interval.
type Every time.Duration

// Next returns t plus the interval.
func (e Every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

func (e Every) String() string { return "every " + time.Duration(e).String() }

// MinEvery is the shortest interval Parse accepts.
const MinEvery = time.Second

type cronSchedule struct {
	expr string
	s    cron.Schedule
}

func (c cronSchedule) Next(t time.Time) time.Time { return c.s.Next(t) }
func (c cronSchedule) String() string             { return fmt.Sprintf("cron %q", c.expr) }

// cronParser reads standard five-field expressions (minute hour
// day-of-month month day-of-week) and descriptors such as @hourly or
// @every 10m, with an optional CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse builds the schedule of --every or --cron; exactly one must be
// set. Errors name the flag and the value.
func Parse(every, cronExpr string) (Schedule, error) {
	switch {
	case every != "" && cronExpr != "":
		return nil, errors.New("--every and --cron: give one of them, not both")
	case every != "":
		d, err := time.ParseDuration(every)
		if err != nil {
			return nil, fmt.Errorf("--every %q: not a duration such as 15m or 1h30m", every)
		}
		if d < MinEvery {
			return nil, fmt.Errorf("--every %q: the interval must be at least %s", every, MinEvery)
		}
		return Every(d), nil
	case cronExpr != "":
		s, err := cronParser.Parse(strings.TrimSpace(cronExpr))
		if err != nil {
			return nil, fmt.Errorf("--cron %q: not a cron expression (minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"): %v", cronExpr, err)
		}
		return cronSchedule{expr: cronExpr, s: s}, nil
	}
	return nil, errors.New("no schedule: give --every or --cron")
}

// Loop calls Run at each tick of Schedule, one run at a time.
type Loop struct {
	Schedule Schedule
	// Immediate starts a first run at once instead of waiting for the
	// first tick (revops does so for --every, not for --cron).
	Immediate bool
	// MaxRuns stops the loop once this many runs have finished (0: no
	// limit).
	MaxRuns int
	// Run is the job. It is called from one goroutine at a time; tick is
	// the time it was due.
	Run func(tick time.Time)
	// Skipped is told of a tick that came while the run started at
	// runningSince was still in flight (nil: not told).
	Skipped func(tick, runningSince time.Time)
	// Waiting is told of the next tick when the loop goes idle (nil:
	// not told).
	Waiting func(next time.Time)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Serve runs the loop until stop is closed or MaxRuns runs have
// finished, and returns how many runs finished. Closing stop starts no
// new run: a run in flight is waited for (to make it end sooner, the
// caller cancels what Run works with).
func (l *Loop) Serve(stop <-chan struct{}) int {
	now := l.Now
	if now == nil {
		now = time.Now
	}
	done := make(chan struct{})
	var (
		running  bool
		since    time.Time
		started  int
		finished int
	)
	start := func(tick time.Time) {
		running, since = true, now()
		started++
		go func() {
			defer func() { done <- struct{}{} }()
			l.Run(tick)
		}()
	}
	next := now()
	if l.Immediate {
		start(next)
	}
	next = l.Schedule.Next(next)
	timer := time.NewTimer(time.Until(next))
	defer timer.Stop()
	if !running && l.Waiting != nil {
		l.Waiting(next)
	}
	stopping := false
	for {
		select {
		case <-stop:
			stop = nil // closed: select on it no more
			stopping = true
			if !running {
				return finished
			}
		case <-done:
			running = false
			finished++
			if stopping || (l.MaxRuns > 0 && finished >= l.MaxRuns) {
				return finished
			}
			if l.Waiting != nil {
				l.Waiting(next)
			}
		case <-timer.C:
			tick := next
			switch {
			case stopping:
			case l.MaxRuns > 0 && started >= l.MaxRuns:
				// The last run is in flight: no more ticks.
			case running:
				if l.Skipped != nil {
					l.Skipped(tick, since)
				}
			default:
				start(tick)
			}
			next = l.Schedule.Next(tick)
			// Ticks missed while the process was not scheduled (a
			// suspended machine) are not made up.
			if t := now(); next.Before(t) {
				next = l.Schedule.Next(t)
			}
			timer.Reset(time.Until(next))
		}
	}
}
