/**
 * Offline verification of the audit JSONL file (no database, ADR 0007): `cave audit verify` runs it, and anyone
 * holding the file, a checkpoint and the log's public key can run the same checks.
 */
export { verifyLogFile } from '../verification/offline-verifier';
export type { OfflineVerifyOptions, VerificationReport } from '../verification/offline-verifier';
export type { ProblemReason, VerificationProblem } from '../domain/log-verification';
