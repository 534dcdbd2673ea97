// Go's own answers for the rules that gorules.py writes again in Python:
// time.ParseDuration, path/filepath.Match, net/url.Parse of an https:// URL
// and net.SplitHostPort.  Reads one JSON array per line, ["op", args...],
// and writes one JSON object per line; gorules_check.py compares them with
// gorules.py's.  Standard library only, so it builds offline.
package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c []string
		if err := json.Unmarshal(in.Bytes(), &c); err != nil || len(c) < 2 {
			os.Exit(2)
		}
		r := map[string]interface{}{}
		switch c[0] {
		case "duration":
			d, err := time.ParseDuration(c[1])
			r["err"] = err != nil
			r["ns"] = int64(d)
		case "match":
			ok, err := filepath.Match(c[1], c[2])
			r["err"] = err != nil
			r["ok"] = ok
		case "url":
			u, err := url.Parse(c[1])
			r["err"] = err != nil
			if err == nil {
				r["host"] = u.Host
				r["path"] = u.Path
			}
		case "splithostport":
			h, p, err := net.SplitHostPort(c[1])
			r["err"] = err != nil
			r["host"] = h
			r["port"] = p
		}
		if err := out.Encode(r); err != nil {
			os.Exit(1)
		}
	}
}
