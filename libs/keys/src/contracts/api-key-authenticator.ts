/**
 * The keys context's public authentication service: every edge that receives a bearer key (REST's guard,
 * Socket.IO's handshake, MCP) resolves it to a Principal here.
 */
export { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
