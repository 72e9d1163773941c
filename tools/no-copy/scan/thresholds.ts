/**
 * The detector's tuning, in one place (documented in docs/FEATURE_ORIGINS.md, entry 24). Changing K, W,
 * MIN_DISTINCT_TOKENS or the tokenizer changes every fingerprint: bump FINGERPRINT_VERSION so caches and corpora built before are rebuilt/refused.
 */
export const FINGERPRINT_VERSION = 3;

/** Normalised tokens per k-gram. */
export const K = 20;

/** Winnowing window (k-grams). Any common run of at least K + W - 1 tokens shares at least one fingerprint. */
export const W = 12;

/** k-grams with fewer different tokens than this are not fingerprinted (field lists, runs of `case` labels). */
export const MIN_DISTINCT_TOKENS = 7;

/** A match is reported when its chain of shared fingerprints spans at least this many tokens of the project file. */
export const MIN_MATCH_TOKENS = 60;

/** ...and consists of at least this many shared fingerprints (one lucky collision is not a copy). */
export const MIN_MATCH_FINGERPRINTS = 3;

/** A fingerprint present in more reference files than this is an idiom (tslib helpers, `Object.defineProperty(exports, ...)`). */
export const COMMON_FINGERPRINT_FILES = 12;

/** Consecutive fingerprints of one chain may be this many tokens apart (edits between copied parts). */
export const MAX_CHAIN_GAP = 40;

/** ...and their offsets between the two files may drift by this many tokens (inserted or removed tokens). */
export const MAX_CHAIN_DRIFT = 12;
