/** Who is calling: resolved from the API key by the keys context's guard on every request. */
export interface Principal {
  keyId: string;
  namespace: string;
  role: 'member' | 'admin';
}
