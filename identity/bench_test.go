//go:build duckdb_arrow

package identity_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
)

// synthPeople generates n person records deterministically: about 0.7·n
// people, each with one to five records, copies typed the way CRMs hold
// them (typos, nicknames, swapped names, missing fields, other phone and
// date formats, e-mail +tags). truth maps record ids to people.
func synthPeople(n int, seed uint64) (*identity.CSVData, map[string]string) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	firsts := strings.Fields(`james mary robert patricia john jennifer michael linda william elizabeth david barbara
		richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony
		margaret mark sandra donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin
		amanda brian melissa george deborah timothy stephanie ronald rebecca edward sharon jason laura jeffrey cynthia
		ryan kathleen jacob amy gary angela nicholas shirley eric anna jonathan brenda stephen pamela larry emma justin
		nicole scott helen brandon samantha benjamin katherine samuel christine gregory debra alexander rachel frank
		carolyn patrick janet raymond catherine jack maria dennis heather jerry diane tyler ruth aaron julie jose olivia
		adam joyce henry virginia nathan victoria douglas kelly zachary lauren peter christina kyle joan ethan evelyn
		walter judith noah megan jeremy andrea christian cheryl keith hannah roger jacqueline terry martha gerald gloria
		harold teresa sean ann austin sara carl madison arthur frances lawrence kathryn dylan janice jesse jean jordan
		abigail bryan alice billy julia joe judy bruce sophia gabriel grace logan denise albert amber willie doris alan
		marilyn juan danielle wayne beverly elijah isabella randy theresa roy diana vincent natalie ralph brittany eugene
		charlotte russell marie bobby kayla mason alexis philip lori louis ahmed priya wei mei hiroshi yuki olga ivan`)
	nick := map[string][]string{"robert": {"bob", "rob", "bobby"}, "william": {"bill", "will"}, "james": {"jim", "jimmy"},
		"elizabeth": {"liz", "beth"}, "michael": {"mike"}, "richard": {"rick", "dick"}, "margaret": {"maggie", "peggy"},
		"thomas": {"tom"}, "joseph": {"joe"}, "katherine": {"kate", "kathy"}, "christopher": {"chris"}, "daniel": {"dan"},
		"anthony": {"tony"}, "jennifer": {"jen"}, "edward": {"ed", "ted"}, "patricia": {"pat", "trish"}}
	syl := strings.Fields("al an ar ber bro car da del en er fen gar han hol in ka ker la len mar mer mon nor ol par ren ros sa son ster ta ton ver wal win")
	cities := make([]string, 400)
	for i := range cities {
		cities[i] = syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] + []string{"ville", "ton", "field", " city", "burg", "ford"}[r.IntN(6)]
	}
	companies := make([]string, 20000)
	for i := range companies {
		companies[i] = strings.ToUpper(syl[r.IntN(len(syl))][:1]) + syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] +
			[]string{" Inc.", " LLC", " Ltd", " Corp", " Group", ""}[r.IntN(6)]
	}
	free := []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com"}
	surname := func() string {
		// A skewed pick: a few common surnames, a long tail.
		k := 2 + r.IntN(2)
		if r.Float64() < 0.3 {
			k = 2
		}
		var b strings.Builder
		for i := 0; i < k; i++ {
			idx := int(float64(len(syl)) * r.Float64() * r.Float64())
			b.WriteString(syl[idx])
		}
		return b.String()
	}
	typo := func(s string) string {
		if len(s) < 3 {
			return s
		}
		b := []byte(s)
		i := 1 + r.IntN(len(b)-1)
		switch r.IntN(3) {
		case 0:
			b[i] = byte('a' + r.IntN(26))
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b[i], b[i-1] = b[i-1], b[i]
		}
		return string(b)
	}
	title := func(s string) string {
		if s == "" {
			return s
		}
		switch r.IntN(5) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	}
	d := &identity.CSVData{Values: map[string][]string{}, Extra: map[string][]string{}}
	roles := []string{"first_name", "last_name", "email", "phone", "company", "city", "postcode", "date_of_birth"}
	truth := map[string]string{}
	taken := map[string]int{}
	add := func(id, entity string, v map[string]string) {
		d.IDs = append(d.IDs, id)
		for _, role := range roles {
			d.Values[role] = append(d.Values[role], v[role])
		}
		truth[id] = entity
	}
	for p := 0; len(d.IDs) < n; p++ {
		first, last := firsts[r.IntN(len(firsts))], surname()
		ci := r.IntN(len(cities))
		company := companies[r.IntN(len(companies))]
		domain := strings.ToLower(strings.Fields(company)[0]) + ".com"
		if r.Float64() < 0.3 {
			domain = free[r.IntN(len(free))]
		}
		// An address is one person's (a second James Smith at a domain
		// gets james.smith2@, as mail servers see to).
		email := first + "." + last
		if r.Float64() < 0.3 {
			email += strconv.Itoa(r.IntN(100))
		}
		email += "@" + domain
		if k := taken[email]; k > 0 {
			at := strings.IndexByte(email, '@')
			email = email[:at] + "x" + strconv.Itoa(k) + email[at:]
		}
		taken[email]++
		phone := fmt.Sprintf("%03d%03d%04d", 201+r.IntN(700), 200+r.IntN(800), r.IntN(10000))
		dob := time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		postcode := fmt.Sprintf("%05d", 10000+ci*97%89999)
		copies := 1
		for copies < 5 && r.Float64() < 0.3 {
			copies++
		}
		entity := "P" + strconv.Itoa(p)
		for c := 0; c < copies && len(d.IDs) < n; c++ {
			v := map[string]string{"first_name": first, "last_name": last, "email": email, "company": company,
				"city": cities[ci], "postcode": postcode, "date_of_birth": dob.Format("2006-01-02")}
			switch r.IntN(3) {
			case 0:
				v["phone"] = "(" + phone[:3] + ") " + phone[3:6] + "-" + phone[6:]
			case 1:
				v["phone"] = "+1 " + phone[:3] + " " + phone[3:6] + " " + phone[6:]
			default:
				v["phone"] = phone
			}
			if c > 0 {
				if alts, ok := nick[first]; ok && r.Float64() < 0.3 {
					v["first_name"] = alts[r.IntN(len(alts))]
				}
				if r.Float64() < 0.1 {
					v["first_name"] = typo(v["first_name"])
				}
				if r.Float64() < 0.1 {
					v["last_name"] = typo(v["last_name"])
				}
				if r.Float64() < 0.03 {
					v["first_name"], v["last_name"] = v["last_name"], v["first_name"]
				}
				if r.Float64() < 0.25 {
					v["email"] = ""
				} else if r.Float64() < 0.1 {
					at := strings.IndexByte(email, '@')
					v["email"] = email[:at] + "+crm" + email[at:]
				}
				if r.Float64() < 0.3 {
					v["phone"] = ""
				}
				if r.Float64() < 0.3 {
					v["date_of_birth"] = ""
				} else if r.Float64() < 0.3 {
					v["date_of_birth"] = dob.Format("01/02/2006")
				}
				if r.Float64() < 0.2 {
					v["company"] = ""
				}
				if r.Float64() < 0.2 {
					v["city"], v["postcode"] = "", ""
				}
			}
			v["first_name"], v["last_name"] = title(v["first_name"]), title(v["last_name"])
			add(fmt.Sprintf("r%07d", len(d.IDs)), entity, v)
		}
	}
	return d, truth
}

// peakRSS is the process's peak resident memory (Go and DuckDB), in MiB.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// BenchmarkMatch1M matches 1,000,000 generated person records in an
// in-memory DuckDB: landing, normalization, blocking, scoring and
// clustering (the whole `revops identity match` but reading the CSV). It
// reports the seconds, the candidate pairs compared, the pairs
// completeness of the blocking and the F1 on the generated truth, and
// the process's peak memory. REVOPS_IDENTITY_BENCH_RECORDS changes n.
func BenchmarkMatch1M(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("REVOPS_IDENTITY_BENCH_RECORDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	data, truth := synthPeople(n, 42)
	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		w := openMem(b)
		start, cpu0 := time.Now(), cpuSeconds()
		res, err := identity.MatchCSV(b.Context(), w, data, identity.KindPerson, &opts)
		if err != nil {
			b.Fatal(err)
		}
		secs, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
		b.StopTimer()
		bl, err := identity.MeasureBlocking(b.Context(), w, identity.KindPerson, truth)
		if err != nil {
			b.Fatal(err)
		}
		pred := map[string]string{}
		for _, a := range res.Assignments {
			pred[a.RecordID] = a.EntityID
		}
		ev, err := identity.Evaluate(pred, truth)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(secs, "s/match")
		b.ReportMetric(float64(res.Stats.CandidatePairs), "comparisons")
		b.ReportMetric(bl.PairsCompleteness, "pairs_completeness")
		b.ReportMetric(ev.F1, "F1")
		b.ReportMetric(peakRSS(), "peak_MiB")
		b.ReportMetric(cpu, "cpu_s")
		b.Logf("%d records: %.1fs (%.1f CPU seconds), %d candidate pairs (+%d random), pairs completeness %.4f, F1 %.4f (P %.4f R %.4f), peak RSS %.0f MiB",
			res.Stats.Records, secs, cpu, res.Stats.CandidatePairs, res.Stats.RandomPairs, bl.PairsCompleteness, ev.F1, ev.Precision, ev.Recall, peakRSS())
		sizes := map[string]int{}
		for _, a := range res.Assignments {
			sizes[a.EntityID]++
		}
		var big []int
		for _, n := range sizes {
			if n > 20 {
				big = append(big, n)
			}
		}
		sort.Sort(sort.Reverse(sort.IntSlice(big)))
		b.Logf("entities with more than 20 records: %d, largest %v", len(big), big[:min(len(big), 10)])
		if os.Getenv("BENCH_FP") != "" {
			r, err := w.Query(b.Context(), `SELECT k.record_id_l, k.record_id_r, round(k.match_weight, 1) AS w, k.rule,
				l.first_name || ' ' || l.last_name || ' ' || coalesce(l.dob, '-') || ' ' || coalesce(l.email, '-') || ' ' || coalesce(l.phone, '-') || ' ' || coalesce(l.city, '-') || ' ' || coalesce(l.company, '-') AS a,
				r.first_name || ' ' || r.last_name || ' ' || coalesce(r.dob, '-') || ' ' || coalesce(r.email, '-') || ' ' || coalesce(r.phone, '-') || ' ' || coalesce(r.city, '-') || ' ' || coalesce(r.company, '-') AS b
				FROM identity.person_links k JOIN identity.person_features l ON l.record_id = k.record_id_l
				JOIN identity.person_features r ON r.record_id = k.record_id_r WHERE k.linked`)
			if err != nil {
				b.Fatal(err)
			}
			_, rows, _ := load.ReadAll(r)
			wr, _ := w.Query(b.Context(), "SELECT comparison, level_name, round(m, 4), round(u, 5), round(weight, 2) FROM identity.person_weights WHERE level >= 0 AND comparison IN ('_prior', 'first_name', 'last_name', 'dob', 'email', 'phone', 'city', 'company', 'postcode', 'domain') ORDER BY comparison, level")
			_, ws, _ := load.ReadAll(wr)
			for _, x := range ws {
				b.Log(x...)
			}
			shown := 0
			for _, row := range rows {
				if truth[row[0].(string)] != truth[row[1].(string)] && shown < 25 {
					b.Log(row[2:]...)
					shown++
				}
			}
		}
		for _, m := range res.Models {
			b.Logf("  %-34s %9d rows %6.2fs", m.Model, m.Rows, m.Seconds)
		}
		_ = w.Close()
		b.StartTimer()
	}
}
