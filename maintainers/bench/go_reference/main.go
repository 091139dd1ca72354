// Command goreference is a Go reference server for comparing against the C++
// port of the "Context" chapter of Learn Go with Tests. It serves GET / from a
// real slow store, using either the chapter's v2 handler (Fetch/Cancel) or its
// v3 handler (Fetch(ctx)), and prints timestamped events on stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const hello = "hello, world"

// eventLog writes whole lines, one Write per line under one mutex, so lines
// from concurrent goroutines never interleave. os.Stdout is unbuffered in Go,
// so every line reaches the reader at once.
type eventLog struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // one line, reused
}

func (l *eventLog) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, s+"\n")
}

// event prints "<CLOCK_MONOTONIC microseconds> <name>". The clock is read
// under the lock so that timestamps never go backwards in the output.
func (l *eventLog) event(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = strconv.AppendInt(l.buf[:0], monotonicMicros(), 10)
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, name...)
	l.buf = append(l.buf, '\n')
	l.w.Write(l.buf)
}

// clockBase is CLOCK_MONOTONIC, the clock behind C++'s std::chrono::steady_clock
// on Linux, read once with a system call when the program starts, so that a
// client on the same machine can correlate timestamps. Go's time package never
// exposes that clock's raw value, but every time.Now() carries a reading of it
// (through the vDSO, as C++ reads it), and time.Since subtracts two readings.
var clockBase, clockStart = calibrate()

// calibrate reads CLOCK_MONOTONIC with a system call between two readings of
// time.Now(), and pairs it with their midpoint: the tightest of a few tries, so
// that the offset between the two is well under a microsecond.
func calibrate() (base int64, start time.Time) {
	best := time.Duration(-1)
	for i := 0; i < 5; i++ {
		before := time.Now()
		micros := readMonotonicMicros()
		after := time.Now()
		if gap := after.Sub(before); best < 0 || gap < best {
			best, base, start = gap, micros, before.Add(gap/2)
		}
	}
	return base, start
}

func monotonicMicros() int64 {
	return clockBase + time.Since(clockStart).Microseconds()
}

func readMonotonicMicros() int64 {
	const clockMonotonic = 1
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		panic(errno)
	}
	return ts.Nano() / 1000
}

// StoreV2 is the chapter's v2 store: the handler has to tell it to stop.
type StoreV2 interface {
	Fetch() string
	Cancel()
}

// slowStoreV2 takes delay to fetch. Cancel cannot say which fetch to stop,
// so it stops every fetch in progress (the v2 flaw that motivates v3).
type slowStoreV2 struct {
	delay time.Duration
	log   *eventLog

	mu   sync.Mutex
	stop chan struct{} // closed by Cancel, then replaced for later fetches
}

func (s *slowStoreV2) Fetch() string {
	s.mu.Lock()
	stop := s.stop
	s.mu.Unlock()
	s.log.event("fetch started")
	if s.delay == 0 { // as the C++ stores: a fetch that takes no time skips the wait
		s.log.event("fetch completed")
		return hello
	}

	timer := time.NewTimer(s.delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		s.log.event("fetch completed")
		return hello
	case <-stop:
		s.log.event("fetch cancelled")
		return ""
	}
}

func (s *slowStoreV2) Cancel() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.stop) // a closed channel wakes every waiting fetch: a broadcast
	s.stop = make(chan struct{})
}

// serverV2 is the chapter's v2 handler.
func serverV2(store StoreV2, log *eventLog) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Buffered, so the fetch goroutine can always send and exit, even
		// when nobody is left to receive.
		data := make(chan string, 1)
		go func() { data <- store.Fetch() }()

		select {
		case d := <-data:
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, d)
			log.event("response written")
		case <-r.Context().Done():
			store.Cancel()
		}
	}
}

// StoreV3 is the chapter's v3 store: it watches the context itself.
type StoreV3 interface {
	Fetch(ctx context.Context) (string, error)
}

// slowStoreV3 takes delay to fetch, or stops as soon as ctx is done.
type slowStoreV3 struct {
	delay time.Duration
	log   *eventLog
}

func (s slowStoreV3) Fetch(ctx context.Context) (string, error) {
	s.log.event("fetch started")
	if s.delay == 0 { // as the C++ stores: a fetch that takes no time skips the wait
		s.log.event("fetch completed")
		return hello, nil
	}

	timer := time.NewTimer(s.delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		s.log.event("fetch completed")
		return hello, nil
	case <-ctx.Done():
		s.log.event("fetch cancelled")
		return "", ctx.Err()
	}
}

// serverV3 is the chapter's v3 handler.
func serverV3(store StoreV3, log *eventLog) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := store.Fetch(r.Context())
		if err != nil {
			return // the client is gone: there is nobody to write to
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, data)
		log.event("response written")
	}
}

// withEvents serves only GET /, logs "request received", and logs
// "client gone" if the request context is cancelled while next runs.
func withEvents(next http.Handler, log *eventLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		log.event("request received")

		ctx := r.Context()
		finished := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			select {
			case <-ctx.Done():
			case <-finished:
			}
			// Checked after the select, because when both channels are
			// ready the select picks one at random.
			if ctx.Err() != nil {
				log.event("client gone")
			}
		}()

		next.ServeHTTP(w, r)
		close(finished)
		<-watched // the watcher never outlives the request
	})
}

// newHandler builds the handler for version "v2" or "v3" around a fresh
// slow store.
func newHandler(version string, delay time.Duration, log *eventLog) (http.Handler, error) {
	switch version {
	case "v2":
		store := &slowStoreV2{delay: delay, log: log, stop: make(chan struct{})}
		return withEvents(serverV2(store, log), log), nil
	case "v3":
		return withEvents(serverV3(slowStoreV3{delay: delay, log: log}, log), log), nil
	}
	return nil, fmt.Errorf("invalid value %q for flag -handler: want v2 or v3", version)
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "port to listen on (0 = any free port)")
	fetchMS := flag.Int("fetch-ms", 2000, "how long the slow store takes to fetch, in milliseconds")
	version := flag.String("handler", "v3", "handler to serve: v2 (Fetch/Cancel) or v3 (Fetch(ctx))")
	flag.Parse()

	// Mirror the flag package: a message, the usage, and exit code 2.
	usageError := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		flag.Usage()
		os.Exit(2)
	}
	if flag.NArg() > 0 {
		usageError(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}
	if *port < 0 || *port > 65535 {
		usageError(fmt.Errorf("invalid value %d for flag -port: want 0..65535", *port))
	}
	if *fetchMS < 0 {
		usageError(fmt.Errorf("invalid value %d for flag -fetch-ms: want >= 0", *fetchMS))
	}
	log := &eventLog{w: os.Stdout}
	handler, err := newHandler(*version, time.Duration(*fetchMS)*time.Millisecond, log)
	if err != nil {
		usageError(err)
	}

	if err := run(*host, *port, handler, log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM, then shuts down gracefully.
func run(host string, port int, handler http.Handler, log *eventLog) error {
	// Registered before "listening on" is printed, so a script may signal us
	// as soon as it has read that line. Every request context derives from
	// ctx, so the signal cancels in-flight requests and Shutdown need not
	// wait out their fetches.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	bound := ln.Addr().(*net.TCPAddr).Port
	log.line("listening on http://" + net.JoinHostPort(host, strconv.Itoa(bound)))

	// net/http defaults suit a benchmark: keep-alive on, no timeouts.
	srv := &http.Server{
		Handler:     handler,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills us the default way

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
