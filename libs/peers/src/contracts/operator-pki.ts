/**
 * The operator's PKI toolkit (ADR 0020) for edges outside the daemon: `cave pki init` and `cave pki issue-node`
 * write the CA and node files with it; test support issues certificates in memory. The daemon reads the files
 * itself (`tls/`), so nothing else of the context's TLS code is public.
 */
export { createOperatorCa, issueNodeCertificate } from '../pki/operator-pki';
export type { IssuedNode, PemPair, ValidityWindow } from '../pki/operator-pki';
export { initCaFiles, issueNodeFiles } from '../pki/pki-files';
