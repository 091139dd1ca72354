package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// events is an io.Writer for eventLog that sends each line's event name on a
// channel, so tests wait for events instead of sleeping.
type events chan string

func (e events) Write(p []byte) (int, error) {
	_, name, _ := strings.Cut(strings.TrimSuffix(string(p), "\n"), " ")
	e <- name
	return len(p), nil
}

// guard bounds every wait; it never decides a verdict on its own.
const guard = 5 * time.Second

// waitFor reads events until want arrives and returns all of them.
func waitFor(t *testing.T, e events, want string) []string {
	t.Helper()
	var seen []string
	timeout := time.After(guard)
	for {
		select {
		case name := <-e:
			seen = append(seen, name)
			if name == want {
				return seen
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %q; saw %q", want, seen)
		}
	}
}

// drain returns the events already logged.
func drain(e events) (seen []string) {
	for {
		select {
		case name := <-e:
			seen = append(seen, name)
		default:
			return seen
		}
	}
}

func newTestHandler(t *testing.T, version string, delay time.Duration) (http.Handler, events) {
	t.Helper()
	e := make(events, 64)
	h, err := newHandler(version, delay, &eventLog{w: e})
	if err != nil {
		t.Fatal(err)
	}
	return h, e
}

func TestHandlers(t *testing.T) {
	for _, version := range []string{"v2", "v3"} {
		for _, delay := range []time.Duration{time.Millisecond, 0} { // 0: a fetch that skips its wait
			t.Run(version+" returns data from the store, fetch "+delay.String(), func(t *testing.T) {
				h, e := newTestHandler(t, version, delay)
				rec := httptest.NewRecorder()

				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

				if got := rec.Body.String(); got != "hello, world" {
					t.Errorf("body = %q, want %q", got, "hello, world")
				}
				want := []string{"request received", "fetch started", "fetch completed", "response written"}
				if got := drain(e); !reflect.DeepEqual(got, want) {
					t.Errorf("events = %q, want %q", got, want)
				}
			})
		}

		t.Run(version+" stops the store when the request is cancelled", func(t *testing.T) {
			h, e := newTestHandler(t, version, time.Hour) // never completes in a test
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
			rec := httptest.NewRecorder()
			served := make(chan struct{})
			go func() {
				defer close(served)
				h.ServeHTTP(rec, req)
			}()

			seen := waitFor(t, e, "fetch started") // cancel once the fetch is under way
			cancel()
			seen = append(seen, waitFor(t, e, "fetch cancelled")...)
			select {
			case <-served:
			case <-time.After(guard):
				t.Fatal("handler did not return after cancellation")
			}
			seen = append(seen, drain(e)...)

			if rec.Body.Len() != 0 {
				t.Errorf("body = %q, want nothing written", rec.Body.String())
			}
			if !contains(seen, "client gone") || contains(seen, "fetch completed") || contains(seen, "response written") {
				t.Errorf("events = %q, want client gone and fetch cancelled only", seen)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
