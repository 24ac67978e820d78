package sdk

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestReadFrame(t *testing.T) {
	stream := "retry: 1000\nid: evt_a\n\n" +
		": keep-alive\n\n" +
		"data: {\"id\":1}\n\n" +
		"event: ignored\r\ndata:two\r\ndata: lines\r\n\r\n" +
		"retry: 5\n\n" +
		"id: evt_b\n\n" +
		"data: cut off"
	r := bufio.NewReader(strings.NewReader(stream))
	want := []frame{
		{id: "evt_a", hasID: true},
		{data: `{"id":1}`, hasData: true},
		{data: "two\nlines", hasData: true},
		{id: "evt_b", hasID: true},
	}
	for i, w := range want {
		f, err := readFrame(r)
		if err != nil || f != w {
			t.Fatalf("frame %d = %+v, %v; want %+v", i, f, err, w)
		}
	}
	if f, err := readFrame(r); err != io.EOF {
		t.Fatalf("a message cut off by the end of the stream gave %+v, %v; want io.EOF", f, err)
	}
}

// The stream comes over the network: whatever it holds, reading it ends
// without a panic.
func FuzzReadFrame(f *testing.F) {
	f.Add("retry: 1000\nid: evt_a\n\ndata: {}\n\n")
	f.Add(":\n\n\r\ndata\nid\n\n")
	f.Fuzz(func(t *testing.T, stream string) {
		r := bufio.NewReader(strings.NewReader(stream))
		for range len(stream) + 1 {
			f, err := readFrame(r)
			if err != nil {
				return
			}
			if !f.hasID && !f.hasData {
				t.Fatalf("an empty frame %+v", f)
			}
		}
		t.Fatal("more frames than bytes")
	})
}

func TestRecentIDsForgetsTheOldest(t *testing.T) {
	r := recentIDs{set: map[string]bool{}}
	for i := range recentKept {
		if !r.add(fmt.Sprint(i)) {
			t.Fatalf("%d seen before it was added", i)
		}
	}
	if r.add("0") || r.add(fmt.Sprint(recentKept-1)) {
		t.Fatal("a remembered id counted as new")
	}
	if !r.add("new") || !r.add("0") {
		t.Fatal("the oldest id was not forgotten to make room")
	}
	if r.add("2") || len(r.set) != recentKept {
		t.Fatalf("remembers %d ids, want %d", len(r.set), recentKept)
	}
}
