/**
 * A gauge value that needs the database, read without holding up a scrape: each call returns the last sample
 * at once and starts one refresh in the background (never two at a time). A stalled database therefore leaves
 * /metrics answering with `unknown` (or the last value), instead of waiting for the database's timeouts.
 */
export function backgroundSample(read: () => Promise<number | undefined>, unknown = -1): () => number {
  let last = unknown;
  let refreshing = false;
  return () => {
    if (!refreshing) {
      refreshing = true;
      read()
        .then(
          (v) => (last = v ?? unknown),
          () => (last = unknown),
        )
        .finally(() => (refreshing = false));
    }
    return last;
  };
}
