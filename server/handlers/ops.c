/* /healthz (the process answers), /readyz (the database answers), /metrics. */
#include <string.h>
#include "handlers.h"
#include "metrics.h"

void h_healthz(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void h_readyz(struct req *r)
{
	if (!db_ping()) {
		reply_db(r, DB_UNAVAILABLE);
		return;
	}
	reply_json(r, 200, json_pack("{s:s}", "status", "ready"));
}

void h_metrics(struct req *r)
{
	char *text = metrics_render();
	if (text == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}
