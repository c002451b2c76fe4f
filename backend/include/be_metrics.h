/* Public API of the metrics module: the Prometheus text exposition of what
 * the monitor sees (every container, VM and the host), the /metrics HTTP
 * listener (libmicrohttpd, loaded on first use), and recordings of samples
 * as JSON Lines (gzip when the file name ends in .gz).  docs/metrics.md. */
#ifndef BE_METRICS_H
#define BE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct be_ctx;
struct be_error;
struct be_monitor;
struct be_item;
struct be_host;

/* A growing text buffer; free data with be_metrics_text_free. */
struct be_metrics_text {
	char *data; /* NUL-terminated once anything was written */
	size_t len, cap;
};
void be_metrics_text_free(struct be_metrics_text *t);
void be_metrics_text_append(struct be_metrics_text *t, const char *s, size_t n);

/* Appends the exposition (text format 0.0.4: HELP and TYPE lines, then one
 * line a series) of items and the host meters h (NULL: none), each series
 * labelled host="HOST".  Counters end in _total; units are in the names.
 * images[i] (when images is not NULL) replaces item i's image label. */
void be_metrics_format_items(const struct be_item *const *items, const char *const *images,
                             size_t n, const struct be_host *h, const char *host,
                             struct be_metrics_text *out);
/* The same for everything the last refresh of mon found; with ctx (may be
 * NULL), berth's own containers get the image of their records. */
void be_metrics_format(const struct be_monitor *mon, struct be_ctx *ctx, const char *host,
                       struct be_metrics_text *out);
/* Appends s as a label value: backslash, double quote and newline escaped
 * as \\, \" and \n. */
void be_metrics_escape(struct be_metrics_text *out, const char *s);
/* This host's name (uname's nodename) into buf. */
const char *be_metrics_hostname(char *buf, size_t len);

/* ---- the JSON Lines stream ------------------------------------------------
 * Appends one line for the last refresh of mon:
 *   {"v":1,"time_unix_ms":T,"host_name":"H","host":{...},"items":[...]}
 * host and items are the records of docs/stats.md less null fields and
 * less their "record" and "time_unix_ms" (the line has them once). */
void be_metrics_stream_line(const struct be_monitor *mon, int64_t time_unix_ms,
                            const char *host_name, struct be_metrics_text *out);

/* ---- recordings -------------------------------------------------------------
 * A file of stream lines (be_metrics_stream_line), gzip-compressed when
 * its name ends in ".gz" (each sample flushed, so a cut file keeps what was
 * written).  The file is created or truncated; a symlink is refused. */
struct be_recorder;
int be_recorder_open(const char *path, struct be_recorder **out, struct be_error **err);
int be_recorder_write(struct be_recorder *r, const char *data, size_t len, struct be_error **err);
/* Writes done so far. */
uint64_t be_recorder_count(const struct be_recorder *r);
/* Finishes the file (gzip trailer, or fsync) and frees r (also on error). */
int be_recorder_close(struct be_recorder *r, struct be_error **err);

/* ---- replay --------------------------------------------------------------
 * A recording read back (plain or gzip, told by its content), every line at
 * open: a line that is not a version 1 stream line fails with its number,
 * except a last line cut short (a crash), which is left out.  Items are
 * rebuilt as a live monitor builds them (history rings, prev and cur, the
 * same marks: an OOM kill when oom_kills grew, ...), up to the frame the
 * replay is at; the items and host stay valid until the next seek. */
struct be_replay;
int be_replay_open(const char *path, struct be_replay **out, struct be_error **err);
void be_replay_free(struct be_replay *r);
/* Samples (lines) in the recording, at least 1. */
size_t be_replay_frames(const struct be_replay *r);
/* Moves to frame i (clamped to the last); returns the frame it is at.  One
 * step forward costs one frame; any other move replays from the start. */
size_t be_replay_seek(struct be_replay *r, size_t i);
size_t be_replay_pos(const struct be_replay *r);
/* The wall-clock time frame i was taken at (ms since the epoch). */
int64_t be_replay_time_ms(const struct be_replay *r, size_t i);
/* The recorded host's name ("" when the lines have none). */
const char *be_replay_host_name(const struct be_replay *r);
/* The host meters and the items of the current frame. */
const struct be_host *be_replay_host(const struct be_replay *r);
size_t be_replay_items(struct be_replay *r, const struct be_item *const **out);

/* ---- a live stream ----------------------------------------------------------
 * Stream lines (a remote berth's `stats --stream --json`) fed one at a time:
 * each replaces the items (those it does not name are gone) and the host
 * meters, and advances every item as the monitor does (history, marks).
 * Only the latest state is kept.  Items are valid until the next line. */
struct be_feed;
struct be_feed *be_feed_new(void);
void be_feed_free(struct be_feed *f);
/* -1 (and nothing changed) when line is not a version 1 stream line. */
int be_feed_line(struct be_feed *f, const char *line, struct be_error **err);
size_t be_feed_items(const struct be_feed *f, const struct be_item *const **out);
const struct be_host *be_feed_host(const struct be_feed *f);
/* The host name the lines give ("" before the first). */
const char *be_feed_host_name(const struct be_feed *f);
/* Lines taken so far. */
uint64_t be_feed_lines(const struct be_feed *f);

/* ---- the HTTP listener ----------------------------------------------------
 * Serves GET /metrics on ADDR ("127.0.0.1:9464", "[::1]:9464", ":9464" or
 * "9464" for 127.0.0.1; port 0 picks a free one).  Each scrape is one
 * be_monitor_refresh of a monitor the server keeps, then the exposition.
 * An address outside the loopback range is refused unless any_address.
 * Runs on a thread of libmicrohttpd's; the caller waits (e.g. for a signal)
 * and stops it with be_metrics_server_stop, which frees it. */
struct be_metrics_server;
int be_metrics_server_start(struct be_ctx *ctx, const char *addr, bool any_address,
                            struct be_metrics_server **out, struct be_error **err);
/* The address bound, "127.0.0.1:41234" (port 0 resolved). */
const char *be_metrics_server_address(const struct be_metrics_server *s);
/* Scrapes served so far. */
uint64_t be_metrics_server_scrapes(const struct be_metrics_server *s);
void be_metrics_server_stop(struct be_metrics_server *s);

#endif
