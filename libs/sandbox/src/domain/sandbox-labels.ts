/** Label rules: keys that are safe as selectors, values that are safe to show. */
export const LABEL_LIMITS = { maxCount: 32, keyPattern: /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/, maxValueLength: 255 };
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `labels` is not acceptable, or undefined when it is. */
export function labelsProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'labels must be an object of string values';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > LABEL_LIMITS.maxCount) return `labels must have at most ${LABEL_LIMITS.maxCount} entries`;
  for (const [k, v] of entries) {
    if (!LABEL_LIMITS.keyPattern.test(k)) return `label key ${JSON.stringify(k.slice(0, 70))} must be 1-63 characters of [A-Za-z0-9._/-], starting and ending alphanumeric`;
    if (typeof v !== 'string') return `label ${k} must be a string`;
    if (v.length > LABEL_LIMITS.maxValueLength || CONTROL.test(v)) return `label ${k} must be at most ${LABEL_LIMITS.maxValueLength} characters without control characters`;
  }
  return undefined;
}
