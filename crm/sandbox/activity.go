package sandbox

import (
	"math"
	"time"
)

// StageProbability is the default win probability (percent) of a stage.
func StageProbability(s Stage) int {
	switch s {
	case StageProspecting, StageQualification:
		return 10
	case StageNeedsAnalysis:
		return 20
	case StageValueProposition:
		return 50
	case StageProposal:
		return 75
	case StageNegotiation:
		return 90
	case StageClosedWon:
		return 100
	}
	return 0
}

var (
	openStages     = Stages()[:6]
	ticketPriority = []string{"Low", "Medium", "High", "Urgent"}
	priorityW      = newWeighted(30, 40, 22, 8)
	ticketChannel  = []string{"Email", "Web", "Phone", "Chat"}
	channelW       = newWeighted(45, 25, 20, 10)
	// per priority: median first response, median resolution after it, SLA
	firstResponse = [4]time.Duration{20 * time.Hour, 6 * time.Hour, 2 * time.Hour, 25 * time.Minute}
	resolution    = [4]time.Duration{4 * day1, 60 * time.Hour, 20 * time.Hour, 5 * time.Hour}
	ticketSLA     = [4]time.Duration{7 * day1, 3 * day1, day1, 4 * time.Hour}
	taskTypes     = []string{"Call", "Email", "Meeting"}
	taskTypeW     = newWeighted(45, 35, 20)
	taskPriority  = []string{"High", "Normal", "Low"}
	taskPriorityW = newWeighted(20, 65, 15)
)

// histChunk carves stage histories from shared backing arrays.
const histChunk = 4096

func (g *gen) history(n int) []StageChange {
	if len(g.histBuf)+n > cap(g.histBuf) {
		g.histBuf = make([]StageChange, 0, max(histChunk, n))
	}
	start := len(g.histBuf)
	g.histBuf = g.histBuf[:start+n]
	return g.histBuf[start : start+n : start+n]
}

func (g *gen) timePtr(t time.Time) *time.Time {
	if len(g.timeBuf) == cap(g.timeBuf) {
		g.timeBuf = make([]time.Time, 0, histChunk)
	}
	g.timeBuf = append(g.timeBuf, t)
	return &g.timeBuf[len(g.timeBuf)-1]
}

// contactAt returns a random non-lead person of company ci, or -1.
func (g *gen) contactAt(ci int) int {
	n := int(g.compCount[ci])
	for range 4 {
		pi := int(g.compFirst[ci]) + g.r.IntN(n)
		if !g.w.People[pi].IsLead {
			return pi
		}
	}
	return -1
}

func (g *gen) deals(n int) {
	w := g.w
	if len(g.accounts) == 0 {
		return
	}
	w.Deals = make([]Deal, n)
	var path [8]Stage
	for i := range w.Deals {
		d := &w.Deals[i]
		ci := int(g.accounts[g.r.IntN(len(g.accounts))])
		comp := &w.Companies[ci]
		d.EntityID = g.a.id("E-D-", i+1)
		d.CompanyIdx = ci
		d.PersonIdx = g.contactAt(ci)
		d.Name = g.a.concat(comp.BaseName, " - ", g.r.pick(dealKinds))
		d.Presence = comp.Presence
		if comp.Presence == presenceBoth {
			d.Presence = g.crmPresence(0.30)
		}
		d.Type = "New Business"
		if g.r.chance(0.35) {
			d.Type = "Existing Business"
		}
		if d.PersonIdx >= 0 {
			d.LeadSource = w.People[d.PersonIdx].LeadSource
		} else {
			d.LeadSource = leadSources[leadSourceW.pick(g.r)]
		}
		d.OwnerIdx = comp.OwnerIdx
		if g.r.chance(0.3) {
			d.OwnerIdx = g.r.IntN(len(w.Users))
		}
		lo := later(comp.CreatedAt, g.now.Add(-730*day1))
		d.CreatedAt = g.recent(lo, g.now.Add(-2*day1))
		scale := float64(max(comp.Employees, 5)) / 50
		d.Amount = min(5e6, max(500, g.r.lognorm(12_000*math.Pow(scale, 0.35), 0.9)))
		d.Amount = roundAmount(d.Amount)

		// Walk the pipeline.
		age := g.now.Sub(d.CreatedAt).Hours() / 24
		closed := g.r.chance(min(0.92, age/150))
		won := closed && g.r.chance(0.42)
		start := 0
		if g.r.chance(0.25) {
			start = 1
		}
		last := 5
		if !won {
			last = start + g.r.IntN(6-start)
		}
		k := 0
		for s := start; s <= last; s++ {
			if s != start && s != last && g.r.chance(0.15) {
				continue
			}
			path[k] = openStages[s]
			k++
		}
		if closed {
			path[k] = StageClosedLost
			if won {
				path[k] = StageClosedWon
			}
			k++
		}
		g.walk(d, path[:k], closed)
	}
}

func roundAmount(x float64) float64 {
	switch {
	case x >= 50_000:
		return roundTo(x, 1000)
	case x >= 5_000:
		return roundTo(x, 100)
	}
	return roundTo(x, 50)
}

func roundTo(x, unit float64) float64 { return max(unit, float64(int64(x/unit+0.5))*unit) }

// walk fills d's history along path, timing the changes between CreatedAt
// and Now, and sets the stage, close date, probability and modified time.
func (g *gen) walk(d *Deal, path []Stage, closed bool) {
	var gaps [8]time.Duration
	var total time.Duration
	for i := 1; i < len(path); i++ {
		gaps[i] = g.r.dur(9*day1, 0.8, time.Hour)
		total += gaps[i]
	}
	avail := g.now.Sub(d.CreatedAt) - time.Hour
	if total > avail {
		f := float64(avail) / float64(total) * (0.6 + 0.4*g.r.Float64())
		for i := 1; i < len(path); i++ {
			gaps[i] = max(time.Duration(float64(gaps[i])*f), time.Minute)
		}
	}
	h := g.history(len(path))
	at := d.CreatedAt
	expect := day(d.CreatedAt.Add(time.Duration(30+g.r.IntN(90)) * day1))
	for i, s := range path {
		at = at.Add(gaps[i])
		if i > 0 && g.r.chance(0.2) {
			expect = expect.Add(time.Duration(7+g.r.IntN(38)) * day1)
		}
		h[i] = StageChange{Stage: s, At: at, CloseDate: expect}
	}
	lastAt := h[len(h)-1].At
	switch {
	case closed:
		h[len(h)-1].CloseDate = day(lastAt)
	case expect.Before(g.now) && g.r.chance(0.75):
		h[len(h)-1].CloseDate = day(g.now.Add(time.Duration(7+g.r.IntN(83)) * day1))
	}
	amount := d.Amount
	for i := len(h) - 1; i >= 0; i-- {
		h[i].Amount = amount
		if g.r.chance(0.25) {
			amount = roundAmount(amount * (0.7 + 0.6*g.r.Float64()))
		}
	}
	d.History = h
	d.Stage = h[len(h)-1].Stage
	d.CloseDate = h[len(h)-1].CloseDate
	d.Probability = StageProbability(d.Stage)
	d.ModifiedAt = g.recent(lastAt, earlier(g.now, lastAt.Add(5*day1)))
}

func (g *gen) tickets(n int) {
	w := g.w
	if len(g.accounts) == 0 {
		return
	}
	w.Tickets = make([]Ticket, n)
	g.timeBuf = nil
	for i := range w.Tickets {
		t := &w.Tickets[i]
		// Some customers file far more tickets than others.
		u := g.r.Float64()
		ci := int(g.accounts[int(float64(len(g.accounts))*u*u)])
		pi := g.contactAt(ci)
		if pi < 0 {
			pi = int(g.compFirst[ci])
		}
		p := &w.People[pi]
		p.Presence |= InZohoDesk
		w.Companies[ci].Presence |= InZohoDesk
		t.EntityID = g.a.id("E-T-", i+1)
		t.PersonIdx, t.CompanyIdx = pi, ci
		pr := priorityW.pick(g.r)
		t.Priority = ticketPriority[pr]
		t.Channel = ticketChannel[channelW.pick(g.r)]
		t.Subject = g.r.pick(ticketSubjects)
		t.Description = g.r.pick(ticketBodies)
		t.CreatedAt = g.recent(later(p.CreatedAt, g.now.Add(-730*day1)), g.now.Add(-10*time.Minute))
		mod := t.CreatedAt
		if g.r.chance(0.9) {
			t.DueDate = g.timePtr(t.CreatedAt.Add(ticketSLA[pr]))
		}
		t.Status = "Open"
		if fr := t.CreatedAt.Add(g.r.dur(firstResponse[pr], 1.0, time.Minute)); fr.Before(g.now) {
			t.FirstResponseAt = g.timePtr(fr)
			mod = fr
			if cl := fr.Add(g.r.dur(resolution[pr], 1.1, 5*time.Minute)); cl.Before(g.now) && g.r.chance(0.97) {
				t.ClosedAt = g.timePtr(cl)
				t.Status = "Closed"
				mod = cl
			}
		}
		if t.Status != "Closed" {
			esc := 0.1
			if pr >= 2 {
				esc = 0.35
			}
			switch x := g.r.Float64(); {
			case x < esc:
				t.Status = "Escalated"
			case x < esc+0.2:
				t.Status = "On Hold"
			}
		}
		t.ModifiedAt = g.recent(mod, earlier(g.now, mod.Add(2*day1)))
	}
}

func (g *gen) tasks(n int) {
	w := g.w
	w.Tasks = make([]Task, 0, n)
	for i := 0; i < n; i++ {
		t := Task{DealIdx: -1, PersonIdx: -1}
		lo, hi := g.now.Add(-730*day1), g.now.Add(30*day1)
		if len(w.Deals) > 0 && g.r.chance(0.6) {
			t.DealIdx = g.r.IntN(len(w.Deals))
			d := &w.Deals[t.DealIdx]
			t.PersonIdx = d.PersonIdx
			t.OwnerIdx = d.OwnerIdx
			t.Presence = d.Presence
			lo = d.CreatedAt
			if d.Stage.Closed() {
				hi = d.History[len(d.History)-1].At
			}
		} else {
			var p *Person
			for range 4 {
				t.PersonIdx = g.r.IntN(len(w.People))
				p = &w.People[t.PersonIdx]
				if p.Presence&presenceBoth != 0 {
					break
				}
			}
			if p.Presence&presenceBoth == 0 {
				continue // a rare miss: one task fewer
			}
			t.OwnerIdx = p.OwnerIdx
			t.Presence = p.Presence & presenceBoth
			lo = later(lo, p.CreatedAt)
		}
		if t.Presence == presenceBoth {
			t.Presence = g.crmPresence(0.2)
		}
		t.EntityID = g.a.id("E-K-", len(w.Tasks)+1)
		ty := taskTypeW.pick(g.r)
		t.Type = taskTypes[ty]
		t.Subject = g.r.pick(taskSubjects[t.Type])
		t.Priority = taskPriority[taskPriorityW.pick(g.r)]
		t.DueDate = g.r.between(lo, hi)
		t.CreatedAt = later(lo, t.DueDate.Add(-time.Duration(g.r.Int64N(int64(14*day1)))))
		t.CreatedAt = earlier(t.CreatedAt, g.now.Add(-time.Minute))
		if t.DueDate.Before(g.now) {
			switch x := g.r.IntN(100); {
			case x < 82:
				t.Status = "Completed"
			case x < 87:
				t.Status = "Deferred"
			case x < 95:
				t.Status = "Not Started"
			default:
				t.Status = "In Progress"
			}
		} else {
			t.Status = "Not Started"
			if g.r.chance(0.3) {
				t.Status = "In Progress"
			}
		}
		t.ModifiedAt = g.recent(t.CreatedAt, earlier(g.now, later(t.CreatedAt, t.DueDate).Add(3*day1)))
		w.Tasks = append(w.Tasks, t)
	}
}
