package main

import (
	"context"
	"log/slog"
	"slices"
)

// lazyAttrs defers the formatting of attributes added with Logger.With until a record is
// actually written. FerretDB 1.24's fsql calls `l.With(slog.Any("args", args)).DebugContext(...)`
// twice for every SQL statement; slog's text and JSON handlers format the attributes eagerly in
// WithAttrs — here the quoted JSON of every inserted document — even when debug is off, which
// cost ~11% of the server's CPU under a create load (pprof, bench single at c=32). With this
// wrapper, With only keeps the attributes; the inner handler formats them when a record at an
// enabled level is handled.
type lazyAttrs struct {
	inner slog.Handler
	attrs []slog.Attr
}

func newLazyAttrs(inner slog.Handler) slog.Handler {
	return &lazyAttrs{inner: inner}
}

func (h *lazyAttrs) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}

	return &lazyAttrs{inner: h.inner, attrs: append(slices.Clip(h.attrs), attrs...)}
}

// WithGroup applies the pending attributes first: they belong outside the group.
func (h *lazyAttrs) WithGroup(name string) slog.Handler {
	return &lazyAttrs{inner: h.resolved().WithGroup(name)}
}

func (h *lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	return h.resolved().Handle(ctx, r)
}

func (h *lazyAttrs) resolved() slog.Handler {
	if len(h.attrs) == 0 {
		return h.inner
	}

	return h.inner.WithAttrs(h.attrs)
}
