package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
)

// countingHandler counts how often attributes are handed to it for formatting.
type countingHandler struct {
	slog.Handler
	withAttrs *int
}

func (h countingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	*h.withAttrs++
	return countingHandler{Handler: h.Handler.WithAttrs(attrs), withAttrs: h.withAttrs}
}

func TestLazyAttrsWritesWhatTheInnerHandlerWrites(t *testing.T) {
	var plain, lazy bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: dropTime}
	log := func(l *slog.Logger) {
		l.With("a", 1).WithGroup("g").With("b", "two").Info("hello", "c", 3)
		l.With("args", []any{"x"}).Debug("dropped")
	}
	log(slog.New(slog.NewTextHandler(&plain, opts)))
	log(slog.New(newLazyAttrs(slog.NewTextHandler(&lazy, opts))))

	if plain.String() != lazy.String() || plain.Len() == 0 {
		t.Fatalf("plain %q, lazy %q", plain.String(), lazy.String())
	}
}

func TestLazyAttrsFormatsNothingForADisabledLevel(t *testing.T) {
	var n int
	inner := countingHandler{Handler: slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}), withAttrs: &n}
	l := slog.New(newLazyAttrs(inner))

	for i := 0; i < 3; i++ {
		l.With("args", []any{"a big document"}).DebugContext(context.Background(), ">>> INSERT")
	}

	if n != 0 {
		t.Fatalf("inner WithAttrs called %d times for records that were never written", n)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}

	return a
}
