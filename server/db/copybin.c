/* Binary COPY out, decoded row by row into a growing array
 * (db_copy_binary in db_internal.h): what the next-stage test loads its
 * hundreds of thousands of rows with, without text parsing. */
#include <arpa/inet.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "log.h"

#define MAX_FIELDS 8

/* Splits one binary COPY row @buf (@len) into @f (@n fields); the file
 * header, on the first row, is skipped. -1 for the trailer, 0 for a bad
 * row, else 1. */
static int split_row(const char *buf, int len, bool first, struct db_field *f, int n)
{
	const char *p = buf, *end = buf + len;
	if (first) {
		if (len < 19 || memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0)
			return 0;
		uint32_t ext;
		memcpy(&ext, p + 15, 4);
		p += 19 + ntohl(ext);
	}
	if (end - p < 2)
		return 0;
	int16_t count;
	memcpy(&count, p, 2);
	count = (int16_t)ntohs((uint16_t)count);
	p += 2;
	if (count == -1)
		return -1;
	if (count != n)
		return 0;
	for (int i = 0; i < n; i++) {
		int32_t flen;
		if (end - p < 4)
			return 0;
		memcpy(&flen, p, 4);
		flen = (int32_t)ntohl((uint32_t)flen);
		p += 4;
		if (flen > end - p)
			return 0;
		f[i].p = flen < 0 ? NULL : p;
		f[i].len = flen;
		if (flen > 0)
			p += flen;
	}
	return 1;
}

int64_t db_field_i64(struct db_field f, int64_t null)
{
	if (f.p == NULL || f.len != 8)
		return null;
	uint64_t v;
	memcpy(&v, f.p, 8);
	return (int64_t)be64toh(v);
}

enum db_status db_copy_binary(struct db *db, const char *sql, int nfields, db_copy_row_fn fn,
			      void *ctx, size_t size, void **out, size_t *n)
{
	if (nfields > MAX_FIELDS)
		return DB_ERROR;
	PGresult *res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		enum db_status s = db_error_of(db, res);
		PQclear(res);
		return s;
	}
	PQclear(res);
	size_t cap = 0;
	bool first = true, bad = false;
	char *buf;
	int len;
	while ((len = PQgetCopyData(db->pg, &buf, 0)) > 0) {
		struct db_field f[MAX_FIELDS];
		int r = bad ? -1 : split_row(buf, len, first, f, nfields);
		first = false;
		if (r == 1 && *n == cap) {
			cap = cap ? 2 * cap : 4096;
			void *more = realloc(*out, cap * size);
			if (more == NULL)
				r = 0;
			else
				*out = more;
		}
		if (r == 1 && fn(ctx, f, (char *)*out + *n * size))
			(*n)++;
		bad = bad || r == 0;
		PQfreemem(buf);
	}
	enum db_status s = DB_OK;
	for (res = PQgetResult(db->pg); res != NULL; res = PQgetResult(db->pg)) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			s = db_error_of(db, res);
		PQclear(res);
	}
	if (len == -2 && s == DB_OK)
		s = db_error_of(db, NULL);
	if (bad && s == DB_OK) {
		log_msg("error", "binary COPY: an undecodable row (or out of memory)");
		s = DB_ERROR;
	}
	return s;
}
