/* Integer VIF, SIMD body shared by vif_avx2.c and vif_avx512.c. Each includes this file after
 * defining the vector type VI, VN (16-bit lanes per vector), the I_* operations below
 * (I_LANES_GE32: the bit mask of the 32-bit lanes >= a constant), the per-pixel terms
 * (StatAcc, stat_init, stat_add, stat_flat, stat_reduce) and store_out16().
 *
 * Arithmetic plan (all of it exact; it reproduces the scalar kernels in vif.c bit for bit):
 *
 * Vertical pass. Rows k and taps-1-k share a coefficient. 8-bit samples are offset by 128
 * so that their products fit 16 bits, and each quantity is summed over the two rows before
 * two tap pairs share one pmaddwd (see vert_8); all their sums are exact in 32 bits
 * (65536 * 255^2 < 2^32). 16-bit samples of the two rows are interleaved into 16-bit pairs,
 * so that one pmaddwd gives c*(z_k + z_k') for the means; they are offset to signed
 * (z = x - 32768); one
 * pmaddwd gives z_k^2 + z_k'^2 (or z_k*w_k + z_k'*w_k'), weighted by c_k into 64-bit sums;
 * the offset comes back in closed form, with M = sum c*z (a 32-bit value):
 *     sum c*x^2 = sum c*z^2 + 65536*M + 2^46,
 *     sum c*x*y = sum c*z*w + 32768*(Mz + Mw) + 2^46,
 * and because everything but sum c*z^2 is a multiple of 2^shift (shift <= 16) the rounded
 * shift of spec 3.3 applies to the 64-bit part alone; the rest is added modulo 2^32, where the
 * exact result lives. Levels that set VIF_RING take scale 0 of 10- and 12-bit pictures another
 * way, from a ring of products made once per row (see "products made once per row").
 *
 * Intermediate rows. The horizontal pass works on 16-bit planes so that it can use pmaddwd
 * on horizontally adjacent tap pairs: a load at column j-half+2m holds, in 32-bit lane i, the
 * taps 2m, 2m+1 of output column j+2i and the taps 2m-1, 2m of output j+2i+1, so each load
 * feeds two pmaddwd (even and odd outputs, coefficient pairs shifted by one). Means are stored
 * minus 32768; a 32-bit moment v is split as v = 65536*H + L with L = (int16)v and
 * H = (v + 32768) >> 16, stored as H - 32768. With sum c = 65536 the offsets fold into
 * constants: sum c*v = 65536*(sum c*H' + 2^31) + sum c*L, and the rounded >> 16 of spec 3.3
 * becomes sum c*H' + 2^31 + ((sum c*L + 32768) >> 16) (arithmetic shift).
 *
 * I_DPWSSD(acc, a, b) is acc + pmaddwd(a, b) (one instruction with AVX-512 VNNI); all sums
 * wrap modulo 2^32 either way. I_IN_REGISTER(v) makes the compiler keep a loaded vector in a
 * register where it would otherwise fold the load into each instruction that uses it. I_AS_IS(v)
 * (an empty asm statement) makes v's value opaque to the compiler, so that it adds the next term
 * to that sum instead of reordering the additions.
 *
 * Scale 3's centre coefficient (43728) does not fit pmaddwd's signed 16 bits; its kernel is
 * all even, so it is used halved and the 32-bit sums doubled (exact modulo 2^32). */

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))

#define P_MUX 0
#define P_MUY 1
#define P_XXH 2
#define P_XXL 3
#define P_YYH 4
#define P_YYL 5
#define P_XYH 6
#define P_XYL 7
#define N_PLANES 8

/* 16-bit plane p of the scratch, 32 spare elements in front (>= half + vector overrun). */
static inline int16_t *plane(void *scratch, unsigned w, int p)
{
    return (int16_t *)((uint8_t *)scratch + VIF_SCRATCH_PREP + (size_t)p * VIF_SCRATCH_ROW(w)) + 32;
}

/* Mirrors half elements at both ends of a plane (spec 3.1). */
static void pad_plane(int16_t *r, unsigned w, int half)
{
    for (int f = 1; f <= half; f++) {
        r[-f] = r[f];
        r[(int)w - 1 + f] = r[(int)w - 1 - f];
    }
}

/* A filter prepared for pmaddwd. */
typedef struct Coef {
    int taps, half;
    int dbl;                        /* coefficients halved: double the 32-bit sums */
    VI vpair[VIF_MAX_TAPS / 2 + 1]; /* vertical: (c_k, c_k), centre (c_h, 0) */
    VI spair[VIF_MAX_TAPS / 4 + 1]; /* vertical, on tap-pair sums: (c_2i, c_2i+1), 0 past the centre */
    uint32_t psum;                  /* sum of c_k over the tap pairs k < half */
    VI vw[VIF_MAX_TAPS / 2 + 1];    /* vertical weights c_k (full, 32/64-bit lanes) */
    VI hpair[VIF_MAX_TAPS / 2 + 1]; /* horizontal: (c_2m, c_2m+1), last (c_taps-1, 0) */
    VI hodd[VIF_MAX_TAPS / 2 + 1];  /* the same loads for odd outputs: (c_2m-1, c_2m) */
    uint32_t wsum;                  /* sum of vw over the pairs and the centre */
} Coef;

static void coef_init(Coef *c, const VifFilter *f)
{
    c->taps = f->taps;
    c->half = f->taps / 2;
    c->dbl = 0;
    for (int k = 0; k < f->taps; k++) c->dbl |= f->coef[k] > 32767;
    const int s = c->dbl;
    c->wsum = 0;
    for (int k = 0; k <= c->half; k++) {
        uint32_t ck = f->coef[k] >> s;
        uint32_t partner = k < c->half ? ck : 0;
        c->vpair[k] = I_SET1_32((int32_t)(ck | partner << 16));
        c->vw[k] = I_SET1_64(f->coef[k]);
        c->wsum += f->coef[k];
    }
    c->psum = 0;
    for (int k = 0; k < c->half; k++) c->psum += f->coef[k];
    for (int i = 0; 2 * i <= c->half; i++) {
        uint32_t lo = f->coef[2 * i] >> s, hi = 2 * i + 1 <= c->half ? f->coef[2 * i + 1] >> s : 0;
        c->spair[i] = I_SET1_32((int32_t)(lo | hi << 16));
    }
    for (int m = 0; m <= c->half; m++) {
        uint32_t lo = f->coef[2 * m] >> s;
        uint32_t hi = 2 * m + 1 < f->taps ? f->coef[2 * m + 1] >> (unsigned)s : 0;
        uint32_t prev = m ? f->coef[2 * m - 1] >> s : 0;
        c->hpair[m] = I_SET1_32((int32_t)(lo | hi << 16));
        c->hodd[m] = I_SET1_32((int32_t)(prev | lo << 16));
    }
}

/* Prepared filters kept in the scratch's first bytes (VIF_SCRATCH_PREP), so that a row does not
 * redo coef_init: a slot counts only when its tag and its copy of the filter match, so what
 * the scratch held before (garbage, or another level's layout) is never taken for one. */
#define COEF_TAG (0x76696663ull << 32 | (sizeof(VI) << 8) | VIF_MAX_TAPS)

typedef struct CoefSlot {
    uint64_t tag;
    int32_t taps;
    uint16_t coef[VIF_MAX_TAPS];
    Coef c;
} CoefSlot;

_Static_assert(sizeof(CoefSlot) <= VIF_SCRATCH_PREP_SLOT, "a prepared filter fits its slot");

static const Coef *coef_get(void *scratch, const VifFilter *f)
{
    CoefSlot *slot = scratch;
    const size_t bytes = (size_t)f->taps * sizeof(uint16_t);
    for (int i = 0; i < VIF_SCRATCH_PREP_SLOTS; i++)
        if (slot[i].tag == COEF_TAG && slot[i].taps == f->taps && !memcmp(slot[i].coef, f->coef, bytes))
            return &slot[i].c;
    /* a free slot, else the one the filter's length picks */
    int i = 0;
    while (i < VIF_SCRATCH_PREP_SLOTS && slot[i].tag == COEF_TAG) i++;
    if (i == VIF_SCRATCH_PREP_SLOTS) i = f->taps % VIF_SCRATCH_PREP_SLOTS;
    coef_init(&slot[i].c, f);
    slot[i].taps = f->taps;
    memcpy(slot[i].coef, f->coef, bytes);
    slot[i].tag = COEF_TAG;
    return &slot[i].c;
}

/* ---- vertical pass -------------------------------------------------------------------- */

/* VN samples of row r at column j as signed 16-bit lanes z = x - ZOFF. */
static inline VI load_z(const void *r, unsigned j, const int wide)
{
    if (wide) return I_XOR(I_LOADU((const uint16_t *)r + j), I_SET1_16(-32768));
    return I_LOAD8S((const uint8_t *)r + j);
}

/* sum c*x = sum c*z + ZOFF * 65536 (the kernels sum to 65536), modulo 2^32. */
static inline uint32_t z_offset_sum(const int wide)
{
    return wide ? 0x80000000u : 128u << 16;
}

/* Row t of a window as 16-bit lanes at j: 8-bit samples as z (load_z), or, in the ring, a
 * slot's quantities at offset j (16-bit already, below 2^12). */
ALWAYS_INLINE VI window_row(const void *const *rows, int t, size_t j, const int ring)
{
    return ring ? I_LOADU((const int16_t *)rows[t] + j) : load_z(rows[t], (unsigned)j, 0);
}

/* Rows t and taps-1-t summed in 16 bits (the centre alone, zero past it). */
ALWAYS_INLINE VI pair_rows(const void *const *rows, int half, int t, size_t j, const int ring)
{
    if (t > half) return I_ZERO();
    const VI a = window_row(rows, t, j, ring);
    return t < half ? I_ADD16(a, window_row(rows, 2 * half - t, j, ring)) : a;
}

/* sum c_k * row_k over a window whose pair sums fit 16 bits: two pair sums through one
 * pmaddwd with (c_k, c_k+1). [0]/[1] the halves in unpack lane order. For 8-bit samples
 * (blur_block) and the ring's split products (ring_row). */
ALWAYS_INLINE void pair_sums(const void *const *rows, size_t j, const Coef *c, const int half, const int ring,
                             VI out[2])
{
    VI lo = I_ZERO(), hi = I_ZERO();
#pragma GCC unroll 9
    for (int t = 0; t <= half; t += 2) {
        const VI a = pair_rows(rows, half, t, j, ring), b = pair_rows(rows, half, t + 1, j, ring);
        lo = I_DPWSSD(lo, I_UNPACKLO16(a, b), c->spair[t / 2]);
        hi = I_DPWSSD(hi, I_UNPACKHI16(a, b), c->spair[t / 2]);
    }
    out[0] = lo;
    out[1] = hi;
}

/* Rows k and taps-1-k (the centre row with zero) of a block, interleaved: [0] the low
 * halves of the 128-bit lanes, [1] the high halves. */
ALWAYS_INLINE void tap_pair(const void *const *rows, int half, int k, unsigned j, const int wide, VI out[2])
{
    VI a = load_z(rows[k], j, wide);
    VI b = k < half ? load_z(rows[2 * half - k], j, wide) : I_ZERO();
    out[0] = I_UNPACKLO16(a, b);
    out[1] = I_UNPACKHI16(a, b);
}

/* Exact 32-bit vertical results of a block, [0]/[1] the two halves in unpack lane order. */
typedef struct Vert {
    VI mu_x[2], mu_y[2], xx[2], yy[2], xy[2];
} Vert;

/* 64-bit lanes (even, odd) of a 32-bit vector, shifted right by s, packed back to 32 bits. */
static inline VI narrow64(VI even, VI odd, __m128i s)
{
    return I_BLEND_ODD32(I_SRL64(even, s), I_SLLI64(I_SRL64(odd, s), 32));
}

/* 8-bit samples (scale 0: shift_sq 0, coefficients < 2^15), z = x - 128. The rows k and
 * taps-1-k share c_k, so each quantity is first summed over the two rows in 16-bit lanes, and
 * then two such sums (tap pairs k, k+1) go through one pmaddwd with (c_k, c_k+1): half the
 * multiply-adds of pairing the rows themselves. Rows k and k+1 (and their partners) are put
 * side by side before the sums, so that each sum is already a pmaddwd operand: four unpacks
 * per two tap pairs instead of one pair of unpacks per quantity, and fewer live vectors than
 * the five sums of each pair were. The sums fit 16 bits with an offset:
 *     z + z'          in [-256, 254],
 *     z^2 + z'^2      in [0, 32768]       -> minus 16384,
 *     z*w + z'*w'     in [-32512, 32768]  -> minus 256,
 * (the centre row alone needs none), and the offsets come back as constants times
 * C = sum of the paired c_k. Everything is exact modulo 2^32, where the 32-bit sums live:
 *     sum c*x^2 = sum c*z^2 + 256*Mz + 2^30,  sum c*x*y = sum c*z*w + 128*(Mz + Mw) + 2^30. */
enum { Q_MZ, Q_MW, Q_XX, Q_YY, Q_XY, N_QUANT };

/* Rows t and t+1 of a block (the second zero past the centre), or with mirror their partners
 * 2*half - t and 2*half - t - 1 (each zero from the centre on), side by side in 16-bit pairs:
 * [0] in the lane order of I_UNPACKLO16, [1] of I_UNPACKHI16. */
ALWAYS_INLINE void rows_side_by_side(const void *const *rows, int half, int t, unsigned j, const int mirror,
                                     VI out[2])
{
    const int r0 = mirror ? 2 * half - t : t, r1 = mirror ? 2 * half - t - 1 : t + 1;
    const int has0 = mirror ? t < half : 1, has1 = mirror ? t + 1 < half : t + 1 <= half;
    VI a = has0 ? load_z(rows[r0], j, 0) : I_ZERO();
    VI b = has1 ? load_z(rows[r1], j, 0) : I_ZERO();
    out[0] = I_UNPACKLO16(a, b);
    out[1] = I_UNPACKHI16(a, b);
}

/* A 32-bit lane of two 16-bit values, lo in the even position. */
static inline VI pair16(int lo, int hi)
{
    return I_SET1_32((int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xffff)));
}

/* half: the kernel's half length, a constant where the caller knows it. There the tap loop is
 * unrolled entirely (the pragma): gcc leaves it rolled by default and then keeps the sums in
 * memory from tap to tap, AVX2 having 16 registers; 2.5 % of an 8-bit run (576x324, Zen 5), and
 * 4.5 % of a 10-bit one for vert_16's loop. */
ALWAYS_INLINE void vert_8(const void *const *ref, const void *const *dis, const Coef *c, unsigned j,
                          const VifFilter *f, Vert *v, const int half)
{
    VI acc[N_QUANT][2];
    for (int q = 0; q < N_QUANT; q++) acc[q][0] = acc[q][1] = I_ZERO();
#pragma GCC unroll 9
    for (int t = 0; t <= half; t += 2) {
        VI x[2], x2[2] = { I_ZERO(), I_ZERO() }, y[2], y2[2] = { I_ZERO(), I_ZERO() };
        const int partners = t < half; /* the centre's group may have none */
        rows_side_by_side(ref, half, t, j, 0, x);
        rows_side_by_side(dis, half, t, j, 0, y);
        if (partners) {
            rows_side_by_side(ref, half, t, j, 1, x2);
            rows_side_by_side(dis, half, t, j, 1, y2);
        }
        const VI cp = c->spair[t / 2];
        /* the offsets of true pairs only (the centre row alone needs none) */
        const VI oxx = pair16(t < half ? -16384 : 0, t + 1 < half ? -16384 : 0);
        const VI oxy = pair16(t < half ? -256 : 0, t + 1 < half ? -256 : 0);
        for (int h = 0; h < 2; h++) {
            VI mz = x[h], mw = y[h], xx = I_MULLO16(x[h], x[h]), yy = I_MULLO16(y[h], y[h]);
            VI xy = I_MULLO16(x[h], y[h]);
            if (partners) {
                mz = I_ADD16(mz, x2[h]);
                mw = I_ADD16(mw, y2[h]);
                xx = I_ADD16(I_ADD16(xx, I_MULLO16(x2[h], x2[h])), oxx);
                yy = I_ADD16(I_ADD16(yy, I_MULLO16(y2[h], y2[h])), oxx);
                xy = I_ADD16(I_ADD16(xy, I_MULLO16(x2[h], y2[h])), oxy);
            }
            acc[Q_MZ][h] = I_DPWSSD(acc[Q_MZ][h], mz, cp);
            acc[Q_MW][h] = I_DPWSSD(acc[Q_MW][h], mw, cp);
            acc[Q_XX][h] = I_DPWSSD(acc[Q_XX][h], xx, cp);
            acc[Q_YY][h] = I_DPWSSD(acc[Q_YY][h], yy, cp);
            acc[Q_XY][h] = I_DPWSSD(acc[Q_XY][h], xy, cp);
        }
    }
    const VI rnd = I_SET1_32((int32_t)(z_offset_sum(0) + (1u << (f->shift_mu - 1))));
    const VI kxx = I_SET1_32((int32_t)((1u << 30) + 16384u * c->psum));
    const VI kxy = I_SET1_32((int32_t)((1u << 30) + 256u * c->psum));
    const __m128i sh = _mm_cvtsi32_si128(f->shift_mu);
    for (int h = 0; h < 2; h++) {
        const VI mz = acc[Q_MZ][h], mw = acc[Q_MW][h];
        v->mu_x[h] = I_SRL32(I_ADD32(mz, rnd), sh);
        v->mu_y[h] = I_SRL32(I_ADD32(mw, rnd), sh);
        v->xx[h] = I_ADD32(I_ADD32(acc[Q_XX][h], I_SLLI32(mz, 8)), kxx);
        v->yy[h] = I_ADD32(I_ADD32(acc[Q_YY][h], I_SLLI32(mw, 8)), kxx);
        v->xy[h] = I_ADD32(I_ADD32(acc[Q_XY][h], I_SLLI32(I_ADD32(mz, mw), 7)), kxy);
    }
}

/* 64-bit weighted sums of one second moment: lanes (even, odd) of r times the weight. */
typedef struct Acc64 {
    VI e, o;
} Acc64;

static inline void acc_u(Acc64 *a, VI r, VI w)
{
    a->e = I_ADD64(a->e, I_MULU(r, w));
    a->o = I_ADD64(a->o, I_MULU(I_ODD32(r), w));
}

static inline void acc_s(Acc64 *a, VI r, VI w)
{
    a->e = I_ADD64(a->e, I_MULS(r, w));
    a->o = I_ADD64(a->o, I_MULS(I_ODD32(r), w));
}

/* The closed forms at the top of the file, for one half. */
static inline void vert_16_finish(VI mz, VI mw, Acc64 xx, Acc64 yy, Acc64 xy, const Coef *c,
                                  const VifFilter *f, Vert *v, int h)
{
    const VI one = I_SET1_32(1);
    if (c->dbl) {
        mz = I_SLLI32(mz, 1);
        mw = I_SLLI32(mw, 1);
    }
    const int s = f->shift_sq;
    const __m128i sh = _mm_cvtsi32_si128(s), up = _mm_cvtsi32_si128(16 - s);
    const VI rnd = I_SET1_64(s ? (int64_t)1 << (s - 1) : 0);
    const uint32_t k46 = s >= 15 ? 1u << (46 - s) : 0; /* 2^(46-s) mod 2^32 */
    const uint32_t k47 = s == 16 ? 1u << 31 : 0;       /* 2^(47-s) mod 2^32 */
    v->xx[h] = I_ADD32(narrow64(I_ADD64(xx.e, rnd), I_ADD64(xx.o, rnd), sh),
                       I_ADD32(I_SLL32(mz, up), I_SET1_32((int32_t)k46)));
    v->yy[h] = I_ADD32(narrow64(I_ADD64(yy.e, rnd), I_ADD64(yy.o, rnd), sh),
                       I_ADD32(I_SLL32(mw, up), I_SET1_32((int32_t)k46)));
    /* 32768*(Mz + Mw) = 65536*floor((Mz + Mw)/2) + 32768*parity; the parity part and a bias
     * of 2^47 (which makes the sum non-negative for a logical shift) go into the 64-bit sum */
    VI par = I_SLLI32(I_AND(I_XOR(mz, mw), one), 15);
    VI avg = I_ADD32(I_ADD32(I_SRAI32(mz, 1), I_SRAI32(mw, 1)), I_AND(I_AND(mz, mw), one));
    VI bias = I_SET1_64(((int64_t)1 << 47) + c->wsum + (s ? (int64_t)1 << (s - 1) : 0));
    VI xe = I_ADD64(I_ADD64(xy.e, bias), I_AND(par, I_SET1_64(0xffffffff)));
    VI xo = I_ADD64(I_ADD64(xy.o, bias), I_SRLI64(par, 32));
    v->xy[h] = I_ADD32(narrow64(xe, xo, sh), I_ADD32(I_SLL32(avg, up), I_SET1_32((int32_t)(k46 - k47))));
    const VI rnd_mu = I_SET1_32((int32_t)(0x80000000u + (1u << (f->shift_mu - 1))));
    const __m128i shm = _mm_cvtsi32_si128(f->shift_mu);
    v->mu_x[h] = I_SRL32(I_ADD32(mz, rnd_mu), shm);
    v->mu_y[h] = I_SRL32(I_ADD32(mw, rnd_mu), shm);
}

/* Half h of tap_pair's 16-bit pair (h = 0: the low halves of the 128-bit lanes); the other
 * unpack is dead code once inlined. */
ALWAYS_INLINE VI tap_half(const void *const *rows, int half, int k, unsigned j, const int h)
{
    VI pair[2];
    tap_pair(rows, half, k, j, 1, pair);
    return pair[h];
}

/* Half h of a block of 16-bit samples: see the closed forms at the top of the file. The sums
 * are taken tap by tap (I_AS_IS): left to itself, gcc reorders the additions of the unrolled
 * loop so that every tap's products are formed first and stored on the stack (124 vector stores
 * per 16-pixel step on AVX2). */
ALWAYS_INLINE void vert_16_half(const void *const *ref, const void *const *dis, const Coef *c, unsigned j,
                                const VifFilter *f, Vert *v, const int half, const int h)
{
    const VI one = I_SET1_32(1);
    VI mz = I_ZERO(), mw = I_ZERO();
    Acc64 xx = { I_ZERO(), I_ZERO() }, yy = xx, xy = xx;
#pragma GCC unroll 9
    for (int k = 0; k <= half; k++) {
        const VI a = tap_half(ref, half, k, j, h), b = tap_half(dis, half, k, j, h);
        mz = I_DPWSSD(mz, a, c->vpair[k]);
        mw = I_DPWSSD(mw, b, c->vpair[k]);
        acc_u(&xx, I_MADD(a, a), c->vw[k]); /* <= 2^31: unsigned */
        acc_u(&yy, I_MADD(b, b), c->vw[k]);
        /* in (-2^31, 2^31]: minus one it is a signed 32-bit value; wsum adds it back */
        acc_s(&xy, I_SUB32(I_MADD(a, b), one), c->vw[k]);
        I_AS_IS(mz);
        I_AS_IS(mw);
        I_AS_IS(xx.e);
        I_AS_IS(xx.o);
        I_AS_IS(yy.e);
        I_AS_IS(yy.o);
        I_AS_IS(xy.e);
        I_AS_IS(xy.o);
    }
    vert_16_finish(mz, mw, xx, yy, xy, c, f, v, h);
}

/* 16-bit samples, one half of the block after the other: both at once keep 16 accumulators (a
 * mean and three 64-bit even/odd pairs per half), more than AVX2's 16 registers; gcc keeps the
 * rows it loaded for the first half for the second (stack reloads: no ALU work). 576x324
 * 10-bit, paired CPU time against both halves at once: avx2 0.97, avx512vnni 0.96. */
ALWAYS_INLINE void vert_16(const void *const *ref, const void *const *dis, const Coef *c, unsigned j,
                           const VifFilter *f, Vert *v, const int half)
{
    vert_16_half(ref, dis, c, j, f, v, half, 0);
    vert_16_half(ref, dis, c, j, f, v, half, 1);
}

/* Mean plane entry: value - 32768 (values <= 65535). */
static inline VI pack_mu(VI lo, VI hi)
{
    const VI off = I_SET1_32(32768);
    return I_PACKS32(I_SUB32(lo, off), I_SUB32(hi, off));
}

/* H - 32768 of v = 65536*H + L, L = (int16)v: the high half of v + 0x80008000. */
static inline VI pack_h(VI lo, VI hi)
{
    const VI k = I_SET1_32((int32_t)0x80008000u);
    return I_PACKUS32(I_SRLI32(I_ADD32(lo, k), 16), I_SRLI32(I_ADD32(hi, k), 16));
}

static inline VI pack_l(VI lo, VI hi)
{
    const VI m = I_SET1_32(0xffff);
    return I_PACKUS32(I_AND(lo, m), I_AND(hi, m));
}

ALWAYS_INLINE void vert_block(const void *const *ref, const void *const *dis, const Coef *c,
                              const VifFilter *f, unsigned j, int16_t *const *pl, const int wide,
                              const int half)
{
    Vert v;
    if (wide) vert_16(ref, dis, c, j, f, &v, half);
    else vert_8(ref, dis, c, j, f, &v, half);
    I_STOREU(pl[P_MUX] + j, pack_mu(v.mu_x[0], v.mu_x[1]));
    I_STOREU(pl[P_MUY] + j, pack_mu(v.mu_y[0], v.mu_y[1]));
    I_STOREU(pl[P_XXH] + j, pack_h(v.xx[0], v.xx[1]));
    I_STOREU(pl[P_XXL] + j, pack_l(v.xx[0], v.xx[1]));
    I_STOREU(pl[P_YYH] + j, pack_h(v.yy[0], v.yy[1]));
    I_STOREU(pl[P_YYL] + j, pack_l(v.yy[0], v.yy[1]));
    I_STOREU(pl[P_XYH] + j, pack_h(v.xy[0], v.xy[1]));
    I_STOREU(pl[P_XYL] + j, pack_l(v.xy[0], v.xy[1]));
}

/* One column the plain way, for rows narrower than a vector. */
static inline uint32_t sample(const void *r, unsigned j, const int wide)
{
    return wide ? ((const uint16_t *)r)[j] : ((const uint8_t *)r)[j];
}

static void vert_column(const void *const *ref, const void *const *dis, const VifFilter *f, unsigned j,
                        int16_t *const *pl, const int wide)
{
    uint64_t mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
    for (int k = 0; k < f->taps; k++) {
        uint64_t x = sample(ref[k], j, wide), y = sample(dis[k], j, wide), c = f->coef[k];
        mx += c * x;
        my += c * y;
        xx += c * x * x;
        yy += c * y * y;
        xy += c * x * y;
    }
    const int s = f->shift_sq, m = f->shift_mu;
    const uint64_t r = s ? (uint64_t)1 << (s - 1) : 0;
    uint32_t v[3] = { (uint32_t)((xx + r) >> s), (uint32_t)((yy + r) >> s), (uint32_t)((xy + r) >> s) };
    pl[P_MUX][j] = (int16_t)(((mx + (1u << (m - 1))) >> m) - 32768);
    pl[P_MUY][j] = (int16_t)(((my + (1u << (m - 1))) >> m) - 32768);
    for (int q = 0; q < 3; q++) {
        pl[P_XXH + 2 * q][j] = (int16_t)((v[q] + 0x80008000u) >> 16);
        pl[P_XXL + 2 * q][j] = (int16_t)(v[q] & 0xffff);
    }
}

ALWAYS_INLINE void vert_row(const void *const *ref, const void *const *dis, const VifFilter *f, const Coef *c,
                            unsigned w, int16_t *const *pl, const int wide, const int half)
{
    if (w < VN) {
        for (unsigned j = 0; j < w; j++) vert_column(ref, dis, f, j, pl, wide);
        return;
    }
    unsigned j = 0;
    for (; j + VN <= w; j += VN) vert_block(ref, dis, c, f, j, pl, wide, half);
    /* the last partial block again over the last VN columns: same values rewritten */
    if (j < w) vert_block(ref, dis, c, f, w - VN, pl, wide, half);
}

/* The vertical pass compiled for each kernel length of the four scales (8-bit samples: scale
 * 0's 17 taps, the only ones they have in practice), so that the tap loop is unrolled,
 * and once for any length. */
static NOINLINE void vert_row_16(const void *const *ref, const void *const *dis, const VifFilter *f,
                                 const Coef *c, unsigned w, int16_t *const *pl)
{
    switch (c->half) {
    case 8: vert_row(ref, dis, f, c, w, pl, 1, 8); break;
    case 4: vert_row(ref, dis, f, c, w, pl, 1, 4); break;
    case 2: vert_row(ref, dis, f, c, w, pl, 1, 2); break;
    case 1: vert_row(ref, dis, f, c, w, pl, 1, 1); break;
    default: vert_row(ref, dis, f, c, w, pl, 1, c->half);
    }
}

static NOINLINE void vert_row_8(const void *const *ref, const void *const *dis, const VifFilter *f,
                                const Coef *c, unsigned w, int16_t *const *pl)
{
    if (c->half == 8) vert_row(ref, dis, f, c, w, pl, 0, 8);
    else vert_row(ref, dis, f, c, w, pl, 0, c->half);
}

/* ---- scale 0 of 10- and 12-bit pictures: products made once per row ------------------- */

/* Samples below 2^12 (scale 0 up to 12 bits) have products x^2, y^2, x*y below 2^24. Each
 * input row's products are made once, when the row enters the window, and kept in a ring in
 * the scratch, split as p = 4096*hi + lo (hi, lo < 2^12) in 16-bit lanes. The vertical pass
 * then takes them as vert_8 takes 8-bit products: each quantity summed over the rows k and
 * taps-1-k in 16 bits (< 2^13), two such tap-pair sums weighted by one pmaddwd with
 * (c_k, c_k+1), into 32-bit sums H and L (< 65536 * 2^12 = 2^28); the means likewise from
 * the samples themselves. A row's products thus cost one row's worth of multiplies instead of
 * 17 (the 16-bit pass above forms them again for each output row, in 64-bit sums). With
 * s = shift_sq <= 12, the rounded shift of spec 3.3 splits exactly, 4096*H being a multiple
 * of 2^s:
 *     (4096*H + L + 2^(s-1)) >> s = 2^(12-s)*H + ((L + 2^(s-1)) >> s),
 * the first term taken modulo 2^32 as the result is. A window with a sample >= 2^12 (a
 * malformed picture) takes the 16-bit pass.
 *
 * A slot holds a row pair block by block (the blocks of vert_row: VN columns each, the last
 * one ending at the last column), each block its eight quantities of VN lanes one after the
 * other, so that one pointer per tap reaches all of them. */
#define RING_BITS 12
#define RING_SLOTS VIF_MAX_TAPS /* a window holds at most taps distinct rows */
#define RING_SLOT_ROWS 4        /* scratch rows per slot: 16 * (w + VN) bytes and a line */

enum { R_X, R_Y, R_XXH, R_XXL, R_YYH, R_YYL, R_XYH, R_XYL, R_QUANT };

typedef struct RingSlot {
    const void *ref, *dis; /* the rows whose products the slot holds; NULL: free */
    int small;             /* every sample of both rows < 2^RING_BITS */
} RingSlot;

/* The ring's slots, in the scratch row after the ten intermediate rows. */
static inline RingSlot *ring_slots(void *scratch, unsigned w)
{
    _Static_assert(RING_SLOTS * sizeof(RingSlot) <= VIF_SCRATCH_ROW(0), "the slots fit a scratch row");
    return (RingSlot *)((uint8_t *)scratch + VIF_SCRATCH_PREP + 10 * (size_t)VIF_SCRATCH_ROW(w));
}

/* Slot i's blocks. Slots lie an odd number of cache lines apart: a window reads a block from
 * each of them, and at a power-of-two distance (1920 columns: 32 KiB) they would all fall in
 * the same L1 set. */
static inline int16_t *ring_data(void *scratch, unsigned w, int i)
{
    _Static_assert(VIF_SCRATCH_ROWS >= 11 + RING_SLOT_ROWS * RING_SLOTS, "the ring fits the scratch");
    const size_t lines = ((size_t)R_QUANT * 2 * (w + VN) + 63) / 64;
    return (int16_t *)((uint8_t *)scratch + VIF_SCRATCH_PREP + 11 * VIF_SCRATCH_ROW(w) +
                       (size_t)i * 64 * (lines | 1));
}

/* The first column of block b of a row of w >= VN columns. */
static inline unsigned block_col(unsigned b, unsigned w)
{
    return (b + 1) * VN <= w ? b * VN : w - VN;
}

/* a*b = 4096*hi + lo for a, b < 2^12, into q[0] and q[VN]. */
static inline void split_product(VI a, VI b, int16_t *q)
{
    const VI l = I_MULLO16(a, b), h = I_MULHI_U16(a, b);
    I_STOREU(q, I_OR(I_SLLI16(h, 16 - RING_BITS), I_SRLI16(l, RING_BITS)));
    I_STOREU(q + VN, I_AND(l, I_SET1_16((1 << RING_BITS) - 1)));
}

/* A slot made from the rows x, y; whether all their samples are < 2^12. */
static int ring_fill(int16_t *slot, unsigned w, const uint16_t *x, const uint16_t *y)
{
    VI any = I_ZERO();
    for (unsigned b = 0; b * VN < w; b++) {
        const unsigned j = block_col(b, w);
        int16_t *q = slot + (size_t)b * R_QUANT * VN;
        const VI a = I_LOADU(x + j), d = I_LOADU(y + j);
        any = I_OR(any, I_OR(a, d));
        I_STOREU(q + R_X * VN, a);
        I_STOREU(q + R_Y * VN, d);
        split_product(a, a, q + R_XXH * VN);
        split_product(d, d, q + R_YYH * VN);
        split_product(a, d, q + R_XYH * VN);
    }
    uint16_t lanes[VN];
    I_STOREU(lanes, any);
    uint16_t all = 0;
    for (int k = 0; k < VN; k++) all |= lanes[k];
    return all >> RING_BITS == 0;
}

/* The ring slots of the window's rows, tap[k] for tap k, made where new; 0 when some row has
 * a sample >= 2^12. At row 0 the ring starts empty (VifFilter.row). */
static int ring_window(void *scratch, unsigned w, const VifFilter *f, const void *const *ref,
                       const void *const *dis, const void *tap[VIF_MAX_TAPS])
{
    RingSlot *slot = ring_slots(scratch, w);
    if (f->row == 0)
        for (int i = 0; i < RING_SLOTS; i++) slot[i].ref = slot[i].dis = NULL;
    int of[VIF_MAX_TAPS];
    uint32_t used = 0;
    for (int k = 0; k < f->taps; k++) {
        of[k] = -1;
        for (int i = 0; i < RING_SLOTS && of[k] < 0; i++)
            if (slot[i].ref == ref[k] && slot[i].dis == dis[k]) of[k] = i;
        if (of[k] >= 0) used |= 1u << of[k];
    }
    int small = 1;
    for (int k = 0; k < f->taps; k++) {
        /* a row new to the ring; an earlier tap may have just made it (mirroring) */
        for (int m = 0; m < k && of[k] < 0; m++)
            if (ref[m] == ref[k] && dis[m] == dis[k]) of[k] = of[m];
        if (of[k] < 0) {
            int i = 0;
            while (used >> i & 1) i++; /* free: not a row of this window */
            slot[i].ref = ref[k];
            slot[i].dis = dis[k];
            slot[i].small = ring_fill(ring_data(scratch, w, i), w, ref[k], dis[k]);
            of[k] = i;
            used |= 1u << i;
        }
        small &= slot[of[k]].small;
        tap[k] = ring_data(scratch, w, of[k]);
    }
    return small;
}

/* A mean plane: (sum c*x + 2^(shift_mu-1)) >> shift_mu, minus 32768. */
ALWAYS_INLINE void ring_mean(const void *const *tap, const Coef *c, size_t o, const VifFilter *f,
                             int16_t *out, const int half)
{
    VI m[2];
    pair_sums(tap, o, c, half, 1, m);
    const VI rnd = I_SET1_32(1 << (f->shift_mu - 1));
    const __m128i sh = _mm_cvtsi32_si128(f->shift_mu);
    I_STOREU(out, pack_mu(I_SRL32(I_ADD32(m[0], rnd), sh), I_SRL32(I_ADD32(m[1], rnd), sh)));
}

/* A second moment's H and L planes from its split sums: 2^(12-s)*H + ((L + 2^(s-1)) >> s). */
ALWAYS_INLINE void ring_moment(const void *const *tap, const Coef *c, size_t o, const VifFilter *f,
                               int16_t *out_h, int16_t *out_l, const int half)
{
    VI h[2], l[2], v[2];
    pair_sums(tap, o, c, half, 1, h);
    pair_sums(tap, o + VN, c, half, 1, l);
    const VI rnd = I_SET1_32(1 << (f->shift_sq - 1));
    const __m128i sh = _mm_cvtsi32_si128(f->shift_sq), up = _mm_cvtsi32_si128(RING_BITS - f->shift_sq);
    for (int i = 0; i < 2; i++) v[i] = I_ADD32(I_SLL32(h[i], up), I_SRL32(I_ADD32(l[i], rnd), sh));
    I_STOREU(out_h, pack_h(v[0], v[1]));
    I_STOREU(out_l, pack_l(v[0], v[1]));
}

ALWAYS_INLINE void ring_row(const void *const *tap, const Coef *c, const VifFilter *f, unsigned w,
                            int16_t *const *pl, const int half)
{
    for (unsigned b = 0; b * VN < w; b++) {
        const unsigned j = block_col(b, w);
        const size_t o = (size_t)b * R_QUANT * VN;
        ring_mean(tap, c, o + R_X * VN, f, pl[P_MUX] + j, half);
        ring_mean(tap, c, o + R_Y * VN, f, pl[P_MUY] + j, half);
        ring_moment(tap, c, o + R_XXH * VN, f, pl[P_XXH] + j, pl[P_XXL] + j, half);
        ring_moment(tap, c, o + R_YYH * VN, f, pl[P_YYH] + j, pl[P_YYL] + j, half);
        ring_moment(tap, c, o + R_XYH * VN, f, pl[P_XYH] + j, pl[P_XYL] + j, half);
    }
}

/* Whether a statistics row can take the ring: a level that wants it (VIF_RING), 16-bit
 * samples whose second moments are shifted by 1..8 (scale 0 of 9 to 12 bits), undoubled
 * coefficients, at least a vector of columns, and a ring small enough to stay in L2 beside
 * the rest: each output row reads all of it. Zen 5 (1 MiB of L2) gained at 576 columns (a
 * 161 KiB ring) and nothing at 1920 (530 KiB); Intel's client cores have 256 KiB. */
#define RING_MAX_BYTES (192u << 10)
static inline int ring_fits(const VifFilter *f, const Coef *c, unsigned w)
{
    return VIF_RING && f->shift_sq >= 1 && f->shift_sq <= 8 && !c->dbl && w >= VN &&
           (size_t)RING_SLOTS * R_QUANT * 2 * (w + VN) <= RING_MAX_BYTES;
}

/* The vertical pass by the ring where the window's samples allow, else the 16-bit pass. */
static NOINLINE void vert_row_ring(const void *const *ref, const void *const *dis, const VifFilter *f,
                                   const Coef *c, unsigned w, int16_t *const *pl, void *scratch)
{
    const void *tap[VIF_MAX_TAPS];
    if (!ring_window(scratch, w, f, ref, dis, tap)) vert_row_16(ref, dis, f, c, w, pl);
    else if (c->half == 8) ring_row(tap, c, f, w, pl, 8);
    else ring_row(tap, c, f, w, pl, c->half);
}

/* ---- horizontal pass and per-pixel terms ---------------------------------------------- */

/* (a*b + 2^31) >> 32 per 32-bit lane (spec 3.3). */
static inline VI mul_hi_round(VI a, VI b)
{
    const VI r = I_SET1_64(0x80000000ll);
    VI e = I_ADD64(I_MULU(a, b), r);
    VI o = I_ADD64(I_MULU(I_SRLI64(a, 32), I_SRLI64(b, 32)), r);
    return I_BLEND_ODD32(I_SRLI64(e, 32), o);
}

/* One second moment from its H/L sums: sum c*H' + 2^31 + ((sum c*L + 32768) >> 16). */
static inline VI moment(VI h, VI l, int dbl)
{
    if (dbl) {
        h = I_SLLI32(h, 1);
        l = I_SLLI32(l, 1);
    }
    return I_ADD32(I_ADD32(h, I_SET1_32((int32_t)0x80000000u)), I_SRAI32(I_ADD32(l, I_SET1_32(32768)), 16));
}

/* Horizontal sums of the outputs j + 2i (even) and j + 2i + 1 (odd), i < VN/2, for the n
 * planes from g (n small enough for both parities' accumulators to stay in registers). A
 * load at column j - half + 2m holds, in lane i, the columns j + 2i - half + 2m and the one
 * after: the taps 2m, 2m+1 of output j + 2i and the taps 2m-1, 2m of output j + 2i + 1. */
ALWAYS_INLINE void horiz_group(int16_t *const *pl, const Coef *c, unsigned j, VI even[N_PLANES],
                               VI odd[N_PLANES], const int half, const int g, const int n)
{
    const ptrdiff_t base = (ptrdiff_t)j - half;
    VI e[N_PLANES], o[N_PLANES];
    for (int q = 0; q < n; q++) e[q] = o[q] = I_ZERO();
    for (int m = 0; m <= half; m++)
        for (int q = 0; q < n; q++) {
            VI v = I_LOADU(pl[g + q] + base + 2 * m);
            I_IN_REGISTER(v);
            e[q] = I_DPWSSD(e[q], v, c->hpair[m]);
            o[q] = I_DPWSSD(o[q], v, c->hodd[m]);
        }
    for (int q = 0; q < n; q++) {
        even[g + q] = e[q];
        odd[g + q] = o[q];
    }
}

/* The planes before the covariance's (P_XYH), in groups that fit the registers. */
ALWAYS_INLINE void horiz_sums(int16_t *const *pl, const Coef *c, unsigned j, VI even[N_PLANES],
                              VI odd[N_PLANES], const int half)
{
    if (VN == 32) {
        horiz_group(pl, c, j, even, odd, half, 0, 6);
    } else {
        horiz_group(pl, c, j, even, odd, half, 0, 4);
        horiz_group(pl, c, j, even, odd, half, 4, 2);
    }
}

/* A mean's horizontal sum as the 32-bit sum it stands for (sum c*mu), offset removed. */
static inline VI mean_sum(VI acc, const Coef *c)
{
    return I_ADD32(c->dbl ? I_SLLI32(acc, 1) : acc, I_SET1_32((int32_t)0x80000000u));
}

/* sigma_x^2 of spec 3.3 from the horizontal sums; pixels with less than 2^17 are flat. */
static inline VI sigma_xx(const VI acc[N_PLANES], const Coef *c)
{
    VI mx = mean_sum(acc[P_MUX], c);
    return I_SUB32(moment(acc[P_XXH], acc[P_XXL], c->dbl), mul_hi_round(mx, mx));
}

/* sigma_y^2 of spec 3.3 from the horizontal sums. */
static inline VI sigma_yy(const VI acc[N_PLANES], const Coef *c)
{
    VI my = mean_sum(acc[P_MUY], c);
    return I_SUB32(moment(acc[P_YYH], acc[P_YYL], c->dbl), mul_hi_round(my, my));
}

/* Whether the first n lanes of sigma_x^2 are all flat (the XY planes are then not needed). */
static inline int all_flat(VI sxx, unsigned n)
{
    return !(I_LANES_GE32(sxx, 131072) & ((1u << n) - 1));
}

/* The variances of spec 3.3 from the horizontal sums, and their terms. */
static inline void terms(VI acc[N_PLANES], VI sxx, const Coef *c, unsigned nvalid, const VifTermParams *tp,
                         StatAcc *sa)
{
    VI mx = mean_sum(acc[P_MUX], c), my = mean_sum(acc[P_MUY], c);
    VI syy = sigma_yy(acc, c);
    VI sxy = I_SUB32(moment(acc[P_XYH], acc[P_XYL], c->dbl), mul_hi_round(mx, my));
    stat_add(sa, sxx, syy, sxy, nvalid, tp);
}

/* The terms of a step of flat pixels: sigma_y^2 alone. */
static inline void flat_terms(VI acc[N_PLANES], const Coef *c, unsigned nvalid, StatAcc *sa)
{
    stat_flat(sa, sigma_yy(acc, c), nvalid);
}

/* In flat areas (most of a typical picture at the coarse scales) whole vectors have only
 * flat pixels, whose terms need no covariance: the XY planes are filtered, and the full terms
 * computed, only when some pixel of the step is not flat. */
static void horiz_row(int16_t *const *pl, const Coef *c, unsigned w, const VifTermParams *tp, VifSums *sums,
                      const int half)
{
    StatAcc sa;
    stat_init(&sa);
    for (unsigned j = 0; j < w; j += VN) {
        /* valid outputs of each parity: columns j + 2i + par < w */
        unsigned left = w - j;
        unsigned ne = left >= VN ? VN / 2 : (left + 1) / 2, no = left >= VN ? VN / 2 : left / 2;
        VI even[N_PLANES], odd[N_PLANES];
        horiz_sums(pl, c, j, even, odd, half);
        VI sxe = sigma_xx(even, c), sxo = sigma_xx(odd, c);
        if (all_flat(sxe, ne) && all_flat(sxo, no)) {
            flat_terms(even, c, ne, &sa);
            if (no) flat_terms(odd, c, no, &sa);
            continue;
        }
        horiz_group(pl, c, j, even, odd, half, P_XYH, 2);
        terms(even, sxe, c, ne, tp, &sa);
        if (no) terms(odd, sxo, c, no, tp, &sa);
    }
    stat_reduce(&sa, tp, sums);
}

static inline void stats_row(const void *const *ref, const void *const *dis, unsigned w, const VifFilter *f,
                             void *scratch, const VifTermParams *tp, VifSums *sums, const int wide)
{
    const Coef *c = coef_get(scratch, f);
    int16_t *pl[N_PLANES];
    for (int q = 0; q < N_PLANES; q++) pl[q] = plane(scratch, w, q);
    if (wide && ring_fits(f, c, w)) vert_row_ring(ref, dis, f, c, w, pl, scratch);
    else if (wide) vert_row_16(ref, dis, f, c, w, pl);
    else vert_row_8(ref, dis, f, c, w, pl);
    for (int q = 0; q < N_PLANES; q++) pad_plane(pl[q], w, c->half);
    horiz_row(pl, c, w, tp, sums, c->half);
}

/* ---- down-sampling -------------------------------------------------------------------- */

/* Vertical low-pass of a block: (sum c*x + 2^(shift-1)) >> shift, written minus 32768. */
ALWAYS_INLINE void blur_block(const void *const *rows, const Coef *c, const VifFilter *f, unsigned j,
                              int16_t *out, const int wide, const int half)
{
    VI m[2] = { I_ZERO(), I_ZERO() };
    if (wide) {
#pragma GCC unroll 9
        for (int k = 0; k <= half; k++) {
            VI a[2];
            tap_pair(rows, half, k, j, wide, a);
            for (int h = 0; h < 2; h++) m[h] = I_DPWSSD(m[h], a[h], c->vpair[k]);
        }
    } else {
        /* 8-bit samples as vert_8 takes them: rows k and taps-1-k summed first (z + z' fits
         * 16 bits) */
        pair_sums(rows, j, c, half, 0, m);
    }
    const uint32_t rnd = (1u << (f->shift_mu - 1)) + z_offset_sum(wide);
    const __m128i sh = _mm_cvtsi32_si128(f->shift_mu);
    for (int h = 0; h < 2; h++) {
        if (c->dbl) m[h] = I_SLLI32(m[h], 1);
        m[h] = I_SRL32(I_ADD32(m[h], I_SET1_32((int32_t)rnd)), sh);
    }
    I_STOREU(out + j, pack_mu(m[0], m[1]));
}

static void blur_column(const void *const *rows, const VifFilter *f, unsigned j, int16_t *out, const int wide)
{
    uint32_t a = 0;
    for (int k = 0; k < f->taps; k++) a += f->coef[k] * sample(rows[k], j, wide);
    out[j] = (int16_t)(((a + (1u << (f->shift_mu - 1))) >> f->shift_mu) - 32768);
}

ALWAYS_INLINE void blur_row(const void *const *rows, const Coef *c, const VifFilter *f, unsigned w,
                            int16_t *out, const int wide, const int half)
{
    if (w < VN) {
        for (unsigned j = 0; j < w; j++) blur_column(rows, f, j, out, wide);
        return;
    }
    unsigned j = 0;
    for (; j + VN <= w; j += VN) blur_block(rows, c, f, j, out, wide, half);
    if (j < w) blur_block(rows, c, f, w - VN, out, wide, half);
}

/* Horizontal low-pass at even columns: out[j] = (sum c*v + 32768) >> 16, VN/2 per step. */
ALWAYS_INLINE void decimate_row(const int16_t *in, const Coef *c, unsigned w_out, uint16_t *out,
                                const int half)
{
    const VI k = I_SET1_32((int32_t)(0x80000000u + 32768));
    for (unsigned j = 0; j < w_out; j += VN / 2) {
        VI a = I_ZERO();
        const ptrdiff_t base = 2 * (ptrdiff_t)j - half;
#pragma GCC unroll 9
        for (int m = 0; m <= half; m++) a = I_DPWSSD(a, I_LOADU(in + base + 2 * m), c->hpair[m]);
        if (c->dbl) a = I_SLLI32(a, 1);
        unsigned n = w_out - j < VN / 2 ? w_out - j : VN / 2;
        store_out16(out + j, I_SRLI32(I_ADD32(a, k), 16), n);
    }
}

ALWAYS_INLINE void down_planes(const void *const *ref, const void *const *dis, unsigned w, const VifFilter *f,
                               const Coef *c, int16_t *const blur[2], uint16_t *out_ref, uint16_t *out_dis,
                               const int wide, const int half)
{
    blur_row(ref, c, f, w, blur[0], wide, half);
    blur_row(dis, c, f, w, blur[1], wide, half);
    pad_plane(blur[0], w, half);
    pad_plane(blur[1], w, half);
    decimate_row(blur[0], c, w / 2, out_ref, half);
    decimate_row(blur[1], c, w / 2, out_dis, half);
}

/* Compiled for the lengths of the kernels that make scales 1-3 (9, 5 and 3 taps; 8-bit samples
 * only ever make scale 1), so that the tap loops are unrolled, and once for any length. */
static inline void down_row(const void *const *ref, const void *const *dis, unsigned w, const VifFilter *f,
                            void *scratch, uint16_t *out_ref, uint16_t *out_dis, const int wide)
{
    const Coef *c = coef_get(scratch, f);
    int16_t *const blur[2] = { plane(scratch, w, 0), plane(scratch, w, 1) };
    if (c->half == 4) down_planes(ref, dis, w, f, c, blur, out_ref, out_dis, wide, 4);
    else if (wide && c->half == 2) down_planes(ref, dis, w, f, c, blur, out_ref, out_dis, wide, 2);
    else if (wide && c->half == 1) down_planes(ref, dis, w, f, c, blur, out_ref, out_dis, wide, 1);
    else down_planes(ref, dis, w, f, c, blur, out_ref, out_dis, wide, c->half);
}

/* ---- entry points --------------------------------------------------------------------- */

static void simd_stats_8(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w, const VifFilter *f,
                         void *scratch, const VifTermParams *tp, VifSums *sums)
{
    stats_row((const void *const *)ref, (const void *const *)dis, w, f, scratch, tp, sums, 0);
}

static void simd_stats_16(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                          const VifFilter *f, void *scratch, const VifTermParams *tp, VifSums *sums)
{
    stats_row((const void *const *)ref, (const void *const *)dis, w, f, scratch, tp, sums, 1);
}

static void simd_down_8(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w, const VifFilter *f,
                        void *scratch, uint16_t *out_ref, uint16_t *out_dis)
{
    down_row((const void *const *)ref, (const void *const *)dis, w, f, scratch, out_ref, out_dis, 0);
}

static void simd_down_16(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                         const VifFilter *f, void *scratch, uint16_t *out_ref, uint16_t *out_dis)
{
    down_row((const void *const *)ref, (const void *const *)dis, w, f, scratch, out_ref, out_dis, 1);
}
