/* History rings: a byte a sample, the log of the value in 1/16 octaves
 * under the ring's largest, and the newest sample as pushed; the last
 * minute sample by sample, the four before as means of 10 (be_stats.h). */
#include <stdint.h>
#include <string.h>

#include "berth.h"

/* Ring codes are in 1/16 octaves (BE_RING_STEPS), worked out on the float's
 * bits (no libm): 2^(k/16), and the points where round(16 log2 m) steps. */
static const float ring_mant[16] = {1.000000000f, 1.044273782f, 1.090507733f, 1.138788635f,
                                    1.189207115f, 1.241857812f, 1.296839555f, 1.354255547f,
                                    1.414213562f, 1.476826146f, 1.542210825f, 1.610490332f,
                                    1.681792831f, 1.756252160f, 1.834008086f, 1.915206561f};
static const float ring_step[16] = {1.021897149f, 1.067140401f, 1.114386743f, 1.163724859f,
                                    1.215247360f, 1.269050957f, 1.325236643f, 1.383909882f,
                                    1.445180807f, 1.509164428f, 1.575980845f, 1.645755478f,
                                    1.718619298f, 1.794709075f, 1.874167634f, 1.957144124f};
_Static_assert(BE_RING_STEPS == 16, "ring tables are for 16 steps an octave");
#define RING_MIN 0x1p-100f /* smaller values are kept as this */
#define RING_MAX 0x1p126f  /* larger ones as this */

static float pow2i(int e) /* -126 <= e <= 127 */
{
	uint32_t b = (uint32_t)(e + 127) << 23;
	float f;
	memcpy(&f, &b, sizeof(f));
	return f;
}

/* round(16 log2 v), RING_MIN <= v <= RING_MAX. */
static int ring_log(float v)
{
	uint32_t b;
	memcpy(&b, &v, sizeof(b));
	int e = (int)((b >> 23) & 0xff) - 127;
	uint32_t mb = (b & 0x7fffffu) | 0x3f800000u;
	float m;
	memcpy(&m, &mb, sizeof(m));
	int k = 0;
	while (k < 16 && m >= ring_step[k])
		k++;
	return e * BE_RING_STEPS + k;
}

static float ring_exp(int n)
{
	int e = n >= 0 ? n / BE_RING_STEPS : -((-n + BE_RING_STEPS - 1) / BE_RING_STEPS);
	return ring_mant[n - e * BE_RING_STEPS] * pow2i(e);
}

static float decode(const struct be_ring *r, uint8_t c)
{
	return c ? ring_exp(r->top - 255 + c) : 0;
}

/* The code of v > 0 under the ring's largest, moving every held code down
 * when v is a new largest (losing nothing but what falls under code 1). */
static uint8_t encode(struct be_ring *r, float v)
{
	if (!(v > 0))
		return 0;
	int l = ring_log(v < RING_MIN ? RING_MIN : v);
	if (r->live == 0) {
		r->top = (int16_t)l;
	} else if (l > r->top) {
		int d = l - r->top;
		for (size_t j = 0; j < sizeof(r->q); j++)
			if (r->q[j])
				r->q[j] = r->q[j] > d ? (uint8_t)(r->q[j] - d) : 1;
		r->top = (int16_t)l;
	}
	int c = 255 - (r->top - l);
	return c < 1 ? 1 : (uint8_t)c;
}

/* Stores code-to-be of v at q[j], keeping live. */
static void put(struct be_ring *r, size_t j, float v)
{
	if (r->q[j])
		r->live--;
	r->q[j] = 0;
	uint8_t c = encode(r, v);
	r->q[j] = c;
	if (c)
		r->live++;
}

static uint16_t total(const struct be_ring *r)
{
	return (uint16_t)(r->ocount * BE_RING_BUCKET + r->npend + r->rcount);
}

void be_ring_push(struct be_ring *r, float v)
{
	if (!(v > 0)) /* negative, 0 or NaN */
		v = 0;
	if (v > RING_MAX)
		v = RING_MAX;
	if (r->rcount == BE_RING_RECENT) {
		/* The oldest recent sample joins the bucket being filled. */
		r->pend_sum += decode(r, r->q[r->rhead]);
		if (++r->npend == BE_RING_BUCKET) {
			put(r, BE_RING_RECENT + r->ohead, r->pend_sum / BE_RING_BUCKET);
			r->ohead = (uint8_t)((r->ohead + 1) % BE_RING_OLD);
			if (r->ocount < BE_RING_OLD)
				r->ocount++;
			r->pend_sum = 0;
			r->npend = 0;
		}
	} else {
		r->rcount++;
	}
	put(r, r->rhead, v);
	r->rhead = (uint8_t)((r->rhead + 1) % BE_RING_RECENT);
	r->last = v;
	uint16_t t = total(r);
	r->count = t < BE_STATS_HISTORY ? t : BE_STATS_HISTORY;
}

float be_ring_at(const struct be_ring *r, size_t i)
{
	if (i + 1 == r->count)
		return r->last;
	size_t j = i + (size_t)(total(r) - r->count); /* the oldest read go first */
	size_t old = (size_t)r->ocount * BE_RING_BUCKET;
	if (j < old) {
		size_t b = (r->ohead + BE_RING_OLD - r->ocount + j / BE_RING_BUCKET) % BE_RING_OLD;
		return decode(r, r->q[BE_RING_RECENT + b]);
	}
	j -= old;
	if (j < r->npend)
		return r->pend_sum / (float)r->npend;
	j -= r->npend;
	size_t k = (r->rhead + BE_RING_RECENT - r->rcount + j) % BE_RING_RECENT;
	return decode(r, r->q[k]);
}

float be_ring_last(const struct be_ring *r)
{
	return r->count ? r->last : 0;
}
