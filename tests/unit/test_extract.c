/* The extractor on real files (tests/files/make_files.py, generated into
 * build/test-files): each good file's words on the right page, slide or
 * sheet, previews where there are some, text clean (valid UTF-8, no
 * control characters, no \x01/\x02, blanks collapsed), and each hostile
 * file (ZIP bombs, entities, nesting, broken, garbage, encrypted, too
 * many pages) in its status with its reason, quickly and with the test
 * process unharmed. Every run goes through extract_run: a child forked by
 * the zygote, this binary exec'd as `test_extract extract`, limits and
 * all. */
#include "harness.h"
#include "extract.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIR  "build/test-files"
#define DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#define XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static struct extract_limits limits;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Runs @name through extract_run; the result's seconds in @secs. */
static int run_with(const char *name, const char *mime, const struct extract_limits *l,
		    struct extract_result *r, double *secs)
{
	char path[256];
	snprintf(path, sizeof path, DIR "/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("  # cannot open %s\n", path);
		memset(r, 0, sizeof *r);
		return -1;
	}
	double t0 = now_s();
	int rc = extract_run(fd, mime, l, r);
	if (secs)
		*secs = now_s() - t0;
	CHECK(lseek(fd, 0, SEEK_CUR) == 0); /* the caller's offset stays */
	close(fd);
	return rc;
}

static int run(const char *name, const char *mime, struct extract_result *r)
{
	return run_with(name, mime, &limits, r, NULL);
}

/* Valid UTF-8 with no control character but \n and \t, no blank at
 * either end, no two blanks in a row. */
static bool clean(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	if (len > 0 && (s[0] == ' ' || s[0] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\n'))
		return false;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\n' && c != '\t')
			return false;
		if (c == 0x7f)
			return false;
		bool blank = c == ' ' || c == '\n' || c == '\t';
		unsigned char d = i + 1 < len ? (unsigned char)s[i + 1] : 'x';
		if (blank && (d == ' ' || d == '\n' || d == '\t'))
			return false;
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (n == 0 || i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

/* @word is on page @page (1-based) and on no other. */
static bool on_page(const struct extract_result *r, const char *word, unsigned page)
{
	bool ok = false;
	for (unsigned i = 0; i < r->npages; i++) {
		bool here = strstr(r->pages[i].text, word) != NULL;
		if (here && i + 1 != page)
			return false;
		if (here)
			ok = true;
	}
	if (!ok)
		printf("  # \"%s\" is not on page %u\n", word, page);
	return ok;
}

static bool nowhere(const struct extract_result *r, const char *word)
{
	for (unsigned i = 0; i < r->npages; i++)
		if (strstr(r->pages[i].text, word) != NULL)
			return false;
	return true;
}

/* Done, @n pages numbered 1..n, every page clean. */
static void check_done(const struct extract_result *r, unsigned n)
{
	CHECK_STR(extract_status_name(r->status), "done");
	CHECK(r->npages == n);
	for (unsigned i = 0; i < r->npages; i++) {
		CHECK(r->pages[i].number == i + 1);
		CHECK(clean(r->pages[i].text, r->pages[i].len));
	}
}

/* A PNG of thumb_width_px pixels wide. */
static bool png_preview(const struct extract_result *r, unsigned width)
{
	if (r->thumb == NULL || r->thumb_len < 24 || strcmp(r->thumb_mime, "image/png") != 0 ||
	    memcmp(r->thumb, "\x89PNG\r\n\x1a\n", 8) != 0)
		return false;
	const unsigned char *w = r->thumb + 16;
	unsigned got = (unsigned)w[0] << 24 | (unsigned)w[1] << 16 | (unsigned)w[2] << 8 | w[3];
	return width == 0 || got == width;
}

static void test_pdf_pages_and_preview(void)
{
	struct extract_result r;
	CHECK(run("guide.pdf", "application/pdf", &r) == 0);
	check_done(&r, 5);
	CHECK(on_page(&r, "aardvark", 1));
	CHECK(on_page(&r, "bumblebee", 2));
	CHECK(on_page(&r, "zanzibar", 3));
	CHECK(on_page(&r, "quixotic", 4));
	CHECK(on_page(&r, "marmalade", 5));
	CHECK(on_page(&r, "Terms & conditions <script>alert(1)</script>", 1));
	CHECK(png_preview(&r, limits.thumb_width_px));
	CHECK(r.reason[0] == '\0');
	extract_result_clear(&r);
	CHECK(r.pages == NULL && r.thumb == NULL && r.npages == 0);
}

static void test_docx_explicit_page_breaks(void)
{
	struct extract_result r;
	CHECK(run("report.docx", DOCX, &r) == 0);
	check_done(&r, 3);
	CHECK(on_page(&r, "kilimanjaro", 1));
	CHECK(on_page(&r, "Q3 & Q4 <targets>", 1));
	CHECK(on_page(&r, "lighthouse", 2));
	CHECK(on_page(&r, "nightingale", 3));
	CHECK(r.thumb == NULL); /* no preview stored in it, none made up */
	extract_result_clear(&r);
	/* libmagic calls some Office files application/zip: read all the same */
	CHECK(run("report.docx", "application/zip", &r) == 0);
	check_done(&r, 3);
	CHECK(on_page(&r, "nightingale", 3));
	extract_result_clear(&r);
}

static void test_pptx_in_presentation_order(void)
{
	struct extract_result r;
	CHECK(run("deck.pptx", PPTX, &r) == 0);
	check_done(&r, 3);
	CHECK(on_page(&r, "orchid", 1));
	CHECK(on_page(&r, "pelican", 2)); /* stored as slide3.xml */
	CHECK(on_page(&r, "quartz", 3));
	CHECK(on_page(&r, "Slide about orchid\nSecond line & more", 1));
	extract_result_clear(&r);
}

static void test_xlsx_sheets_shared_and_inline_strings(void)
{
	struct extract_result r;
	CHECK(run("sheets.xlsx", XLSX, &r) == 0);
	check_done(&r, 2);
	if (r.npages == 2) {
		CHECK_STR(r.pages[0].text, "Pipeline\nAccount\twalrus\nacme\t42");
		CHECK_STR(r.pages[1].text, "Forecast\nyodel\t3.5");
	}
	extract_result_clear(&r);
}

static void test_opendocument(void)
{
	struct extract_result r;
	CHECK(run("notes.odt", "application/vnd.oasis.opendocument.text", &r) == 0);
	check_done(&r, 1);
	CHECK(on_page(&r, "juniper", 1));
	CHECK(on_page(&r, "Heading & <b>", 1));
	extract_result_clear(&r);

	CHECK(run("slides.odp", "application/vnd.oasis.opendocument.presentation", &r) == 0);
	check_done(&r, 2);
	CHECK(on_page(&r, "saffron", 1));
	CHECK(on_page(&r, "tangerine", 2));
	CHECK(png_preview(&r, 0)); /* Thumbnails/thumbnail.png, as stored */
	extract_result_clear(&r);

	CHECK(run("table.ods", "application/vnd.oasis.opendocument.spreadsheet", &r) == 0);
	check_done(&r, 2);
	CHECK(on_page(&r, "Accounts\numbrella", 1));
	CHECK(on_page(&r, "Regions\nvelvet", 2));
	extract_result_clear(&r);
}

static void test_html_text_only(void)
{
	struct extract_result r;
	CHECK(run("page.html", "text/html", &r) == 0);
	check_done(&r, 1);
	CHECK(on_page(&r, "hummingbird", 1));
	CHECK(on_page(&r, "Fish & chips", 1));
	CHECK(nowhere(&r, "secret")); /* script, style, noscript, template */
	CHECK(nowhere(&r, "color"));
	extract_result_clear(&r);
}

static void test_plain_text_markdown_csv(void)
{
	struct extract_result r;
	CHECK(run("readme.md", "text/markdown", &r) == 0);
	check_done(&r, 1);
	CHECK(on_page(&r, "marzipan", 1));
	extract_result_clear(&r);

	CHECK(run("data.csv", "text/csv", &r) == 0);
	check_done(&r, 1);
	CHECK(on_page(&r, "olive,12", 1));
	extract_result_clear(&r);

	CHECK(run("notes.txt", "text/plain", &r) == 0);
	check_done(&r, 1);
	CHECK(on_page(&r, "pistachio", 1));
	CHECK(on_page(&r, "caf\xef\xbf\xbd is", 1)); /* Latin-1 0xe9 replaced */
	CHECK(on_page(&r, "UTF-8, blanks collapsed.", 1));
	extract_result_clear(&r);

	CHECK(run("controls.txt", "text/plain", &r) == 0);
	check_done(&r, 1);
	if (r.npages == 1)
		CHECK_STR(r.pages[0].text, "Controls between words of cashew.");
	extract_result_clear(&r);
}

static void test_image_and_video_are_empty(void)
{
	struct extract_result r;
	CHECK(run("logo.png", "image/png", &r) == 0);
	CHECK_STR(extract_status_name(r.status), "empty");
	CHECK(r.npages == 0);
	CHECK(png_preview(&r, limits.thumb_width_px)); /* 640 wide, scaled */
	extract_result_clear(&r);

	CHECK(run("clip.mp4", "video/mp4", &r) == 0);
	CHECK_STR(extract_status_name(r.status), "empty");
	CHECK(r.thumb == NULL && r.npages == 0);
	extract_result_clear(&r);
}

/* A hostile file: its status, a reason containing @why, no pages, no
 * preview, before the deadline. */
static void check_hostile(const char *name, const char *mime, enum extract_status want,
			  const char *why)
{
	struct extract_result r;
	double secs = 0;
	CHECK(run_with(name, mime, &limits, &r, &secs) == 0);
	if (r.status != want || strstr(r.reason, why) == NULL)
		printf("  # %s: %s \"%s\"\n", name, extract_status_name(r.status), r.reason);
	CHECK(r.status == want);
	CHECK(strstr(r.reason, why) != NULL);
	CHECK(r.npages == 0 && r.pages == NULL && r.thumb == NULL);
	CHECK(secs < 20); /* its own end, not the 30 s deadline (a busy machine is slow) */
	extract_result_clear(&r);
}

static void test_zip_bombs(void)
{
	check_hostile("bomb.docx", DOCX, EXTRACT_TOO_LARGE, "100 times");
	check_hostile("bomb_lying.docx", DOCX, EXTRACT_TOO_LARGE, "100 times");
	check_hostile("bomb_total.docx", DOCX, EXTRACT_TOO_LARGE, "more than 64 MiB");
}

static void test_hostile_xml(void)
{
	check_hostile("laughs.docx", DOCX, EXTRACT_FAILED, "entities");
	check_hostile("nested.docx", DOCX, EXTRACT_FAILED, "nested");
}

static void test_bad_pdfs(void)
{
	check_hostile("broken.pdf", "application/pdf", EXTRACT_FAILED, "not a valid PDF");
	check_hostile("garbage.pdf", "application/pdf", EXTRACT_FAILED, "not a valid PDF");
	check_hostile("encrypted.pdf", "application/pdf", EXTRACT_ENCRYPTED, "password-protected");
	check_hostile("manypages.pdf", "application/pdf", EXTRACT_TOO_LARGE, "1001 pages");
}

static void test_limits_from_the_caller(void)
{
	struct extract_limits l = limits;
	struct extract_result r;
	l.text_bytes = 300; /* guide.pdf has about 1 KiB */
	CHECK(run_with("guide.pdf", "application/pdf", &l, &r, NULL) == 0);
	CHECK_STR(extract_status_name(r.status), "too_large");
	CHECK(strstr(r.reason, "more than 300 bytes of text") != NULL);
	extract_result_clear(&r);

	l = limits;
	l.pages = 2;
	CHECK(run_with("deck.pptx", PPTX, &l, &r, NULL) == 0);
	CHECK_STR(extract_status_name(r.status), "too_large");
	CHECK(strstr(r.reason, "more than 2 slides") != NULL);
	extract_result_clear(&r);

	l = limits;
	l.input_bytes = 1000; /* said without running anything */
	CHECK(run_with("guide.pdf", "application/pdf", &l, &r, NULL) == 0);
	CHECK_STR(extract_status_name(r.status), "too_large");
	CHECK_STR(r.reason, "The file is larger than 1000 bytes.");
	extract_result_clear(&r);

	l = limits;
	l.thumb_bytes = 100; /* a preview past it is dropped, the text stays */
	CHECK(run_with("guide.pdf", "application/pdf", &l, &r, NULL) == 0);
	check_done(&r, 5);
	CHECK(r.thumb == NULL);
	extract_result_clear(&r);
}

/* A memfd sealed against writes is read as it is, offset untouched. */
static void test_sealed_memfd(void)
{
	int fd = memfd_create("guide", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char path[] = DIR "/guide.pdf";
	int src = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n = src >= 0 ? read(src, buf, sizeof buf) : -1;
	CHECK(fd >= 0 && n > 0 && write(fd, buf, (size_t)n) == n);
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW) == 0);
	off_t at = lseek(fd, 0, SEEK_CUR);
	struct extract_result r;
	CHECK(extract_run(fd, "application/pdf", &limits, &r) == 0);
	check_done(&r, 5);
	CHECK(on_page(&r, "zanzibar", 3));
	CHECK(lseek(fd, 0, SEEK_CUR) == at);
	extract_result_clear(&r);
	close(fd);
	if (src >= 0)
		close(src);
}

static void test_status_names(void)
{
	CHECK_STR(extract_status_name(EXTRACT_DONE), "done");
	CHECK_STR(extract_status_name(EXTRACT_EMPTY), "empty");
	CHECK_STR(extract_status_name(EXTRACT_ENCRYPTED), "encrypted");
	CHECK_STR(extract_status_name(EXTRACT_TOO_LARGE), "too_large");
	CHECK_STR(extract_status_name(EXTRACT_FAILED), "failed");
}

static void test_env_overrides(void)
{
	struct extract_limits l;
	setenv("NEXTSTAGE_EXTRACT_PAGES", "7", 1);
	setenv("NEXTSTAGE_EXTRACT_MEMORY_MB", "128", 1);
	setenv("NEXTSTAGE_EXTRACT_SECONDS", "not a number", 1);
	extract_limits_default(&l);
	CHECK(l.pages == 7);
	CHECK(l.mem_bytes == 128u << 20);
	CHECK(l.wall_ms == 30000); /* the default stays */
	unsetenv("NEXTSTAGE_EXTRACT_PAGES");
	unsetenv("NEXTSTAGE_EXTRACT_MEMORY_MB");
	unsetenv("NEXTSTAGE_EXTRACT_SECONDS");
	extract_limits_default(&l);
	CHECK(l.pages == 1000 && l.mem_bytes == 512u << 20 && l.cpu_s == 20);
	CHECK(l.text_bytes == 16u << 20 && l.unzip_bytes == 64u << 20 && l.unzip_ratio == 100);
	CHECK(l.thumb_width_px == 320 && l.input_bytes == 200u << 20);
}

/* The files, made again when make_files.py is newer than them. */
static int make_files(void)
{
	struct stat script, made;
	if (stat("tests/files/make_files.py", &script) != 0)
		return -1;
	if (stat(DIR "/guide.pdf", &made) == 0 && made.st_mtime >= script.st_mtime)
		return 0;
	return system("python3 tests/files/make_files.py " DIR) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "extract") == 0)
		return extract_child_main(argc, argv, NULL); /* the zygote extract_run runs */
	if (make_files() != 0) {
		printf("not ok - make the test files (tests/files/make_files.py)\n");
		return 1;
	}
	extract_limits_default(&limits);
	TEST(test_status_names);
	TEST(test_env_overrides);
	TEST(test_pdf_pages_and_preview);
	TEST(test_docx_explicit_page_breaks);
	TEST(test_pptx_in_presentation_order);
	TEST(test_xlsx_sheets_shared_and_inline_strings);
	TEST(test_opendocument);
	TEST(test_html_text_only);
	TEST(test_plain_text_markdown_csv);
	TEST(test_image_and_video_are_empty);
	TEST(test_zip_bombs);
	TEST(test_hostile_xml);
	TEST(test_bad_pdfs);
	TEST(test_limits_from_the_caller);
	TEST(test_sealed_memfd);
	return HARNESS_EXIT();
}
