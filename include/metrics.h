/* Process metrics in Prometheus text format. All functions are thread-safe. */
#ifndef NS_METRICS_H
#define NS_METRICS_H
#include <stddef.h>

/* Records one finished request: @route is the route's index in the table
 * or -1 for unmatched, @status the HTTP status, @micros the duration. */
void metrics_request(int route, unsigned status, unsigned long micros);

/* The exposition text; malloc'd, free it. NULL when memory is short. */
char *metrics_render(void);

#endif
