export { AuditModule } from './audit.module';
export { auditProjectionFor } from './contracts/audit-projection';
export { verifyLogFile } from './contracts/offline-verification';
export type { OfflineVerifyOptions, ProblemReason, VerificationProblem, VerificationReport } from './contracts/offline-verification';
