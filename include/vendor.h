/* Libraries of the web app that come from distribution packages, never
 * copied into static/: each mount (the table in vendor.c) serves chosen
 * files of a package's directory under /app/vendor/<name>/, loaded into
 * memory with the app's files (static_files.h) and served like them.
 * Today two: pdf.js from Debian's libjs-pdf at /app/vendor/pdf/, and
 * Chart.js from Debian's libjs-chart.js at /app/vendor/chart/ (the
 * dashboards' charts). */
#ifndef NS_VENDOR_H
#define NS_VENDOR_H

struct config;

/* Loads every mount, then "vendor/mounts.json": an object of the mounts
 * loaded, name -> URL prefix ({"pdf":"/app/vendor/pdf/",
 * "chart":"/app/vendor/chart/"}, or {} without them), so the app knows
 * what it may use without asking for a file that is not there. A mount
 * whose package is missing (a listed file or directory is not found) or
 * cannot be read is left out with a warning naming the package; the
 * server serves on without it. A mount that fails half way may leave some
 * of its files loaded; they are harmless, and mounts.json does not list
 * it. Call after static_load. Returns how many mounts were loaded. */
int vendor_load(const struct config *c);

#endif
