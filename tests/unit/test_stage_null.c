/* A null simulation of the next-stage test: neutral assets (sharing one
 * changes nothing about a deal) on realistic deal histories, judged as the
 * server judges them (st_run, then st_judge over the family of rows); the
 * share of judged rows flagged moves_deals or hurts must stay at or under
 * 5%. Seeded: the same histories on every run (five per scenario).
 *
 * The histories: deals arriving over two years pass through five stages.
 * Each deal has a quality: better deals leave a stage sooner and more
 * often forward. Time to leave a stage is Weibull with a shape under 1
 * (the hazard falls with time in stage: stalled deals stall) and a scale
 * of 20 days over the quality; a deal that does not move forward is lost.
 * Sixty assets, each tagged with one or two stages, reach 5%, 20%, 50% or
 * 80% of the spells of their stages: a rep decides at the entry and
 * shares after an exponential delay (mean 6 days), if the deal is still
 * there; some deals get an asset before their first stage. When it is
 * shared is decided without looking ahead, so the assets are neutral: any
 * verdict but no_effect or inconclusive is a false flag.
 *
 * Two scenarios: a mid-size pipeline (3,000 deals, shape 0.9, qualities
 * 0.7 to 1.3: the first two stages are crowded), and a large one whose
 * deals stall hard (8,000 deals, shape 0.8, qualities 0.5 to 1.5: four
 * crowded stages, where the bands keep long-stalled deals out of the
 * controls of fresh ones). Measured when written: 1.2% and 0.2% flagged.
 * Known limit: a small pipeline whose deals stall hard (3,000 deals, shape
 * 0.85, qualities 0.5 to 1.5) reaches 6.7%, from its uncrowded stages,
 * which are not banded; and the unadjusted p-values run small at high
 * reach (p < 0.05 in 8% to 18% of the rows, where 5% is nominal), since
 * V counts each exposure's controls as if no other exposure shared them:
 * the q-values' adjustment is what keeps the flags down. */
#include "harness.h"
#include "stagetest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define DAY    ST_USEC_PER_DAY
#define ASSETS 60
#define STAGES 5

static uint64_t rng;

static double uniform(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

struct sim {
	struct st_data d;
	size_t cap_spells, cap_exps, cap_given;
};

static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 1024;
	p = realloc(p, *cap * size);
	if (p == NULL)
		abort();
	return p;
}

static void add_given(struct sim *s, int asset, int deal, int64_t at)
{
	s->d.given = grow(s->d.given, s->d.ngiven, &s->cap_given, sizeof *s->d.given);
	s->d.given[s->d.ngiven++] = (struct st_given){asset, deal, at};
}

/* The stages (1 to STAGES) each asset is tagged with, and its reach. */
struct asset {
	int stage[2], nstages;
	double reach;
};

/* A scenario: its deals, Weibull shape and range of qualities. */
struct scenario {
	int deals;
	double shape, quality_low, quality_span;
};

static void simulate(struct sim *s, const struct scenario *sc, const struct asset *assets)
{
	const int64_t now = 730 * DAY;
	memset(s, 0, sizeof *s);
	s->d.now = now;
	for (int deal = 0; deal < sc->deals; deal++) {
		double quality = sc->quality_low + sc->quality_span * uniform();
		int64_t t = (int64_t)(uniform() * 700 * DAY);
		for (int a = 0; a < ASSETS; a++)
			if (uniform() < 0.005)
				add_given(s, a, deal, t - (int64_t)(uniform() * 10 * DAY));
		for (int stage = 1; stage <= STAGES && t < now; stage++) {
			double stay = 20 / quality * pow(-log(uniform()), 1 / sc->shape);
			int64_t l = t + (int64_t)(stay * DAY);
			bool forward = uniform() < fmin(0.95, 0.55 * quality);
			struct st_spell sp = {stage, deal, t, l > now ? ST_OPEN : l, forward};
			if (l > now)
				sp.adv = false;
			s->d.spells =
			    grow(s->d.spells, s->d.nspells, &s->cap_spells, sizeof *s->d.spells);
			s->d.spells[s->d.nspells++] = sp;
			for (int a = 0; a < ASSETS; a++) {
				const struct asset *as = &assets[a];
				bool tagged = as->stage[0] == stage ||
					      (as->nstages > 1 && as->stage[1] == stage);
				if (!tagged || uniform() >= as->reach)
					continue;
				int64_t at = t + (int64_t)(-log(uniform()) * 6 * DAY);
				if (at >= sp.l || at > now)
					continue;
				s->d.exps =
				    grow(s->d.exps, s->d.nexps, &s->cap_exps, sizeof *s->d.exps);
				s->d.exps[s->d.nexps++] = (struct st_exposure){a, sp, at};
				add_given(s, a, deal, at);
			}
			if (sp.l == ST_OPEN || !forward)
				break;
			t = l;
		}
	}
}

/* The judged rows of five histories of @sc: how many, how many flagged,
 * how many with p < 0.05. */
static void run_scenario(const struct scenario *sc, long *judged, long *flagged, long *small_p)
{
	static const double reach[] = {0.05, 0.2, 0.5, 0.8};
	*judged = *flagged = *small_p = 0;
	for (unsigned seed = 1; seed <= 5; seed++) {
		rng = seed * 7919;
		struct asset assets[ASSETS];
		for (int a = 0; a < ASSETS; a++) {
			int first = 1 + (int)(uniform() * STAGES);
			assets[a] = (struct asset){{first, first < STAGES ? first + 1 : first},
						   uniform() < 0.5 ? 2 : 1,
						   reach[a % 4]};
		}
		struct sim s;
		simulate(&s, sc, assets);
		struct st_result r;
		CHECK(st_run(&s.d, 30 * DAY, &r));
		struct st_judgement *j = malloc((r.nrows + 1) * sizeof *j);
		CHECK(j != NULL && st_judge(r.rows, r.nrows, 10, j));
		for (size_t i = 0; j && i < r.nrows; i++) {
			if (r.rows[i].n < 10)
				continue;
			(*judged)++;
			*flagged += j[i].verdict == STATS_MOVES || j[i].verdict == STATS_HURTS;
			*small_p += j[i].lift.p_value < 0.05;
		}
		free(j);
		st_result_free(&r);
		free(s.d.spells);
		free(s.d.exps);
		free(s.d.given);
	}
	printf("  # %d deals, shape %.2f: %ld judged rows, %ld flagged (%.1f%%), p < 0.05 in"
	       " %.1f%%\n",
	       sc->deals, sc->shape, *judged, *flagged, 100.0 * (double)*flagged / (double)*judged,
	       100.0 * (double)*small_p / (double)*judged);
}

static void neutral_assets_are_rarely_flagged_in_a_mid_size_pipeline(void)
{
	long judged, flagged, small_p;
	run_scenario(&(struct scenario){3000, 0.9, 0.7, 0.6}, &judged, &flagged, &small_p);
	CHECK(judged >= 300);
	CHECK(flagged * 20 <= judged);
}

static void neutral_assets_are_rarely_flagged_where_deals_stall_hard(void)
{
	long judged, flagged, small_p;
	run_scenario(&(struct scenario){8000, 0.8, 0.5, 1.0}, &judged, &flagged, &small_p);
	CHECK(judged >= 300);
	CHECK(flagged * 20 <= judged);
}

int main(void)
{
	TEST(neutral_assets_are_rarely_flagged_in_a_mid_size_pipeline);
	TEST(neutral_assets_are_rarely_flagged_where_deals_stall_hard);
	return HARNESS_EXIT();
}
