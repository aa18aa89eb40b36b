/* The values of CRM exports (Salesforce, HubSpot, and the spreadsheets they
 * pass through): amounts, dates and times, character sets, people's names.
 * Each parser takes one field as the export wrote it and gives back one
 * canonical text, or refuses it with a short static English reason that the
 * import can show next to the row ("is negative", "has more than 2
 * decimals").
 *
 * Pure C: no I/O, no allocation, no global state (thread-safe), and no
 * locale: every parser is written by hand, so "1.234,50" means what the
 * caller's mark says, whatever LC_NUMERIC the process runs under.
 *
 * Spaces, wherever this header says "spaces", are ASCII space and tab and
 * the no-break spaces U+00A0 and U+202F that Excel and HubSpot write. */
#ifndef NS_IMPORT_VALUES_H
#define NS_IMPORT_VALUES_H
#include <stdbool.h>
#include <stddef.h>

/* The room every canonical output below fits in, NUL included. */
#define IMP_OUT_MIN 40

/* ---- Amounts ---------------------------------------------------------- */

/* The decimal mark of a file: "36,000.50" (point) or "36.000,50" (comma). */
enum imp_decimal { IMP_DECIMAL_POINT, IMP_DECIMAL_COMMA };

/* Parses the amount @in (NUL-terminated UTF-8; surrounding spaces ignored)
 * into @out as canonical non-negative decimal text: the integer digits
 * without leading zeros ("0" for none), then, only when @in has decimals,
 * '.' and its 1 or 2 decimals as written ("15,000" -> "15000",
 * "1,234.5" -> "1234.5", "007.50" -> "7.50"). Nothing is rounded or made up.
 *
 * Accepted around the number, before or after it, with or without spaces
 * between: one currency, either an ISO 4217 code (3 upper-case ASCII
 * letters, any: "USD", "EUR", "CHF") or a symbol: "$", "€", "£", "¥", "US$",
 * "CA$", "A$". The currency is not returned.
 *
 * The number: ASCII digits, starting with a digit. Thousands separators
 * must make groups of three after a first group of 1 to 3 digits, all with
 * the same separator:
 *   IMP_DECIMAL_POINT: ',' "'" or a space between groups, '.' for decimals
 *     ("36,000.00", "1'234.50", "15 000.50");
 *   IMP_DECIMAL_COMMA: '.' or a space between groups, ',' for decimals
 *     ("1.234,50", "15 000,50").
 * A space only separates groups when a digit follows it ("15 000 EUR").
 *
 * Refused (false; @out is ""; *@why, when @why is not NULL, says why):
 *   "is empty"                        nothing but spaces;
 *   "has no number"                   a currency alone ("USD", "$");
 *   "is not an amount"                anything else: words, a second number,
 *                                     "+", ".5", "36000.", a letter run that
 *                                     is not a code ("5k", "USDX 5");
 *   "has two currencies"              "USD 5 EUR", "$5 USD";
 *   "has malformed digit groups"      "1,00,000", "12,34" (point), "1,000 000",
 *                                     "0,500" (a group after a leading 0);
 *   "has more than 2 decimals"        amounts are stored as numeric(16,2);
 *   "has more than 14 integer digits" the other half of numeric(16,2);
 *   "is negative"                     a '-' (or U+2212) before or after the
 *                                     number or currency, or parentheses
 *                                     around them: "-5", "$-5", "(1,200.00)",
 *                                     "($1,200.00)", "5-";
 *   "has no room for the output"      @outlen too small for it (IMP_OUT_MIN
 *                                     always has room).
 * A value that is wrong in two ways gets the first reason found, reading
 * from the shape (not an amount, currencies) to the number to the sign. */
bool imp_amount(const char *in, enum imp_decimal mark, char *out, size_t outlen, const char **why);

/* ---- Dates and times -------------------------------------------------- */

/* The order of day and month in slash dates. */
enum imp_date_order { IMP_ORDER_AUTO = 0, IMP_ORDER_MDY, IMP_ORDER_DMY };

#define IMP_ORDERS_MDY (1u << IMP_ORDER_MDY)
#define IMP_ORDERS_DMY (1u << IMP_ORDER_DMY)

/* The orders @in could be read in, as a mask of IMP_ORDERS_MDY and
 * IMP_ORDERS_DMY: the orders in which imp_date would accept it as a slash
 * date (calendar, time and all). Both for "3/4/2026" (and "3/3/2026",
 * which reads the same either way), only MDY for "3/14/2026", only DMY for
 * "14/3/2026" and "29/2/2024"; 0 for a value that is not a slash date D/M/Y
 * ("2026-03-14", "2026/03/14") or no date at all ("31/31/2026",
 * "3/14/2026 25:00"). AND-ed over the non-empty dates of a column, it tells
 * the column's order: one bit left means that order, both mean the file
 * cannot tell (ask for date_format), none means mixed or bad dates. */
unsigned imp_date_orders(const char *in);

/* Parses the date or date and time @in (NUL-terminated; surrounding spaces
 * ignored) into @out (@outlen >= 20, or 26 with an offset; IMP_OUT_MIN is
 * plenty) as "YYYY-MM-DD HH:MM:SS" (a local time; *@offset false), or, when
 * @in ends with 'Z' or an offset, as "YYYY-MM-DD HH:MM:SS+HH:MM" (*@offset
 * true; "Z" and "-00:00" give "+00:00"). A date alone gives 00:00:00.
 * Fractions of a second are read and dropped (truncated, not rounded): deal
 * history needs no sub-second times, and one fixed width sorts as text.
 * @offset may be NULL.
 *
 * The date, one of:
 *   YYYY-MM-DD                        ISO 8601 / RFC 3339 (two-digit month
 *                                     and day);
 *   YYYY/M/D                          year first, so in no doubt;
 *   M/D/YYYY or D/M/YYYY              a slash date, one or two digits of day
 *                                     and month and always four of year
 *                                     (two-digit years are refused: "3/14/26"
 *                                     could be 1926 or 2026), read in @order:
 *                                     IMP_ORDER_MDY, IMP_ORDER_DMY, or
 *                                     IMP_ORDER_AUTO, which reads it in the
 *                                     only order that gives a valid date and
 *                                     time ("3/14/2026", "14/3/2026") and
 *                                     refuses it when both do and differ
 *                                     ("3/4/2026": "is ambiguous (day/month
 *                                     or month/day): give date_format").
 * Then optionally a time, after 'T' (ISO date only) or after spaces, which
 * may follow a ',' ("3/14/2026, 9:30 AM" is what Salesforce reports write
 * in the en_US locale):
 *   H:MM, H:MM:SS, H:MM:SS.fraction   one or two digits of hour, two of
 *                                     minutes and seconds, 1 to 9 of fraction;
 *                                     24-hour (0-23) unless followed,
 *                                     with or without spaces, by "AM" or "PM"
 *                                     (any case; not "a.m."), then 1-12, with
 *                                     12 AM = 00 and 12 PM = 12. So the
 *                                     "2026-03-14 9:30 AM" of some Salesforce
 *                                     locales is read too;
 *   then optionally, after optional spaces, 'Z' or an offset ±HH:MM, ±HHMM
 *     or ±HH (hours 0-23, minutes 0-59).
 *
 * Checked: years 1900-9999, months 1-12, days of that month (leap years:
 * 2024-02-29 and 2000-02-29 are dates, 2026-02-29 and 1900-02-29 are not),
 * minutes and seconds 0-59 (a leap second 60 is refused).
 *
 * Refused (false; @out is ""; *@why, when @why is not NULL): "is empty",
 * "is not a date", "has a two-digit year", "has a year outside 1900-9999",
 * "has a month outside 1-12", "has a day outside its month",
 * "has an hour outside 0-23", "has an hour outside 1-12 before AM/PM",
 * "has minutes outside 0-59", "has seconds outside 0-59",
 * "has an offset out of range", the ambiguity above, and
 * "has no room for the output". */
bool imp_date(const char *in, enum imp_date_order order, char *out, size_t outlen, bool *offset,
	      const char **why);

/* ---- Character sets --------------------------------------------------- */

/* The character sets exports come in. IMP_LATIN1 is ISO-8859-1 as its
 * standard says: bytes 0x80-0x9F are the C1 controls U+0080-U+009F. Files
 * called "latin1" by their makers are often windows-1252 (web browsers
 * read both names as windows-1252 for that reason): pick IMP_WINDOWS_1252
 * for files that may hold "€" or curly quotes. */
enum imp_charset { IMP_UTF8, IMP_WINDOWS_1252, IMP_LATIN1 };

/* The charset named @name, case-insensitive: "utf-8", "utf8" (IMP_UTF8);
 * "windows-1252", "cp1252" (IMP_WINDOWS_1252); "latin1", "latin-1",
 * "iso-8859-1", "iso8859-1", "iso_8859-1" (IMP_LATIN1). False for any
 * other name, and for NULL. */
bool imp_charset_of(const char *name, enum imp_charset *out);

/* Decodes the @len bytes of @in from @cs into UTF-8 at @out, which gets a
 * NUL after them; returns the bytes written, NUL not counted. With @cap >=
 * 3 * @len + 1 everything fits (a windows-1252 byte becomes at most 3
 * UTF-8 bytes); with less, decoding stops before the first character that
 * would not fit with its NUL, never splitting one (with @cap 0 nothing is
 * written). Each byte is one character, so a file may be decoded in chunks
 * of any size.
 *   IMP_UTF8: copies the bytes as they are (check them with imp_utf8_scan);
 *   IMP_LATIN1: byte b is U+00bb;
 *   IMP_WINDOWS_1252: as latin1 except 0x80-0x9F, which are the letters
 *     and signs of windows-1252 (0x80 "€", 0x92 "’", 0x96 "–", ...); its
 *     five undefined bytes 0x81 0x8D 0x8F 0x90 0x9D become U+0081, U+008D,
 *     U+008F, U+0090, U+009D, as Windows itself decodes them, so that no
 *     byte of a file is refused or lost. */
size_t imp_decode(const char *in, size_t len, enum imp_charset cs, char *out, size_t cap);

/* The offset of the first byte of the first ill-formed UTF-8 sequence in
 * @in[0..@len) (Unicode's table of well-formed sequences: no overlong
 * forms, no surrogates U+D800-U+DFFF, nothing above U+10FFFF, no stray
 * continuation bytes, no 0xC0 0xC1 0xF5-0xFF), or @len when it is all
 * well-formed. A sequence that is well-formed so far but cut off by the end
 * of @in is ill-formed when @final; when !@final it is not (the next chunk
 * may complete it): the return is then @len and *@tail gets its length (1
 * to 3), which the caller holds back and puts before the next chunk.
 * *@tail is 0 otherwise; @tail may be NULL. */
size_t imp_utf8_scan(const char *in, size_t len, bool final, size_t *tail);

/* ---- People's names --------------------------------------------------- */

/* Folds the name @in (NUL-terminated UTF-8) into @out for matching owners
 * ("Opportunity Owner", "Deal owner" hold names, not e-mails): ASCII
 * letters lower-cased; the letters of Latin-1 Supplement and Latin
 * Extended-A (U+00C0-U+017F) to their base letters in lower case ("É" and
 * "é" -> "e", "Ł" -> "l", "ß" -> "ss", "Æ" -> "ae", "Œ" -> "oe", "Þ" ->
 * "th", "Ĳ" -> "ij", "Ø" -> "o"); runs of spaces to one ' ', none at
 * either end. Everything else is kept as it is ("×", "Σ", "李", digits,
 * '-', '\'', and bytes that are not UTF-8). "  José  ÁLVAREZ " ->
 * "jose alvarez". The output is never longer than @in, so @outlen >=
 * strlen(@in) + 1 is enough; with less it stops before the first character
 * that would not fit with its NUL (with @outlen 0 nothing is written). */
void imp_fold_name(const char *in, char *out, size_t outlen);

#endif
