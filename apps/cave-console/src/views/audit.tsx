import { useEffect, useState } from 'preact/hooks';
import { call, describe, get, Whoami } from '../api';
import { parseCheckpoint, verifyNote } from '../lib/signed-note';
import { toHex } from '../lib/merkle';
import { MemberProof, ProofVerdict, verifyMemberProof } from '../lib/verify-proof';
import { ErrorBox, Json } from '../ui';

interface Part {
  ok: boolean;
  entries: number;
  hmacChecked: boolean;
  problem?: { reason: string; seq: number; detail: string };
  elapsedMs: number;
}
interface Report {
  ok: boolean;
  problem?: { reason: string; seq: number; detail: string };
  table: Part;
  completeness: { eventsChecked: number; pending: number; problem?: { reason: string } };
  file?: Part;
}

const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? '✓' : '✗');

function Verification() {
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport((await call<Report>('POST', '/api/v1/admin/audit/verify')).body);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="verify-title">
      <h2 id="verify-title">Verification</h2>
      <button type="button" onClick={verify} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify the audit log now'}
      </button>
      <ErrorBox error={error} />
      {report && (
        <div role="status" aria-label="Verification result">
          <p class={report.ok ? 'ok' : 'error'}>
            <strong>{report.ok ? 'Audit log intact' : `Audit log damaged: ${report.problem?.reason} at entry ${report.problem?.seq}`}</strong>
          </p>
          <ul>
            <li>
              {mark(report.table.ok)} Hash chain (table): {report.table.entries} entries, HMAC {report.table.hmacChecked ? 'checked' : 'not configured'}
            </li>
            <li>
              {mark(!report.completeness.problem)} Completeness: {report.completeness.eventsChecked} events, {report.completeness.pending} pending
            </li>
            {report.file && (
              <li>
                {mark(report.file.ok)} Mirror file: {report.file.entries} entries
              </li>
            )}
          </ul>
        </div>
      )}
    </section>
  );
}

function LatestCheckpoint({ verifierKey }: { verifierKey?: string }) {
  const [note, setNote] = useState<string>();
  const [signed, setSigned] = useState<boolean>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    get<string>('/api/v1/admin/audit/checkpoint', { text: true }).then(setNote, (e) => setError(describe(e)));
  }, []);
  useEffect(() => {
    if (note && verifierKey && globalThis.crypto?.subtle) verifyNote(note, verifierKey).then(setSigned, () => setSigned(false));
  }, [note, verifierKey]);
  let cp;
  try {
    cp = note ? parseCheckpoint(note) : undefined;
  } catch {
    cp = undefined;
  }
  return (
    <section aria-labelledby="checkpoint-title">
      <h2 id="checkpoint-title">Latest signed checkpoint</h2>
      <ErrorBox error={error} />
      {cp && (
        <dl>
          <dt>Origin</dt>
          <dd>{cp.origin}</dd>
          <dt>Tree size</dt>
          <dd>{cp.treeSize}</dd>
          <dt>Root hash</dt>
          <dd>
            <code>{toHex(cp.rootHash)}</code>
          </dd>
          <dt>Signature</dt>
          <dd role="status">{signed === undefined ? 'checking…' : signed ? '✓ Ed25519 signature valid (checked in this browser)' : '✗ signature does not verify'}</dd>
        </dl>
      )}
      {note && (
        <details>
          <summary>Signed note</summary>
          <pre class="json">{note}</pre>
        </details>
      )}
    </section>
  );
}

function InclusionProof({ eventId: initial, verifierKey, admin }: { eventId?: string; verifierKey?: string; admin: boolean }) {
  const [eventId, setEventId] = useState(initial ?? '');
  const [proof, setProof] = useState<MemberProof>();
  const [verdict, setVerdict] = useState<ProofVerdict>();
  const [error, setError] = useState<string>();
  const check = async (id: string) => {
    setError(undefined);
    setVerdict(undefined);
    if (!globalThis.crypto?.subtle) return setError(NO_WEBCRYPTO);
    try {
      const p = await get<MemberProof>(`/api/v1${admin ? '/admin' : ''}/audit/entries/${encodeURIComponent(id)}/proof`);
      setProof(p);
      setVerdict(await verifyMemberProof(p, id, verifierKey));
    } catch (e) {
      setError(describe(e));
    }
  };
  useEffect(() => {
    if (initial) void check(initial);
  }, [initial, verifierKey]);
  return (
    <section aria-labelledby="proof-title">
      <h2 id="proof-title">Inclusion proof</h2>
      <form
        class="filters"
        aria-label="Inclusion proof"
        onSubmit={(e) => {
          e.preventDefault();
          void check(eventId.trim());
        }}
      >
        <div class="field">
          <label for="proof-event">Event id</label>
          <input id="proof-event" value={eventId} onInput={(e) => setEventId(e.currentTarget.value)} required />
        </div>
        <button type="submit">Verify in browser</button>
      </form>
      <ErrorBox error={error} />
      {verdict && (
        <div role="status" aria-label="Proof verdict" data-verdict={verdict.ok ? 'valid' : 'invalid'}>
          <p class={verdict.ok ? 'ok' : 'error'}>
            <strong>{verdict.ok ? 'Inclusion verified in the browser' : 'Proof does NOT verify'}</strong>
          </p>
          <ul>
            {verdict.checks.map((c) => (
              <li key={c.name}>
                {mark(c.ok)} {c.name}: <span class="muted">{c.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {proof && (
        <details>
          <summary>Entry and proof as received</summary>
          <Json value={proof} label="Proof" />
        </details>
      )}
    </section>
  );
}

/** WebCrypto exists only in secure contexts: https, or http on localhost / 127.0.0.1. */
const NO_WEBCRYPTO = 'This page is not a secure context (use https or localhost), so the browser offers no WebCrypto to verify with.';

/** Admins: verification, checkpoint and proofs; members: proofs of their own events. */
export function AuditView({ who, eventId }: { who: Whoami; eventId?: string }) {
  const admin = who.role === 'admin';
  const [verifierKey, setVerifierKey] = useState<string>();
  useEffect(() => {
    if (admin) get<string>('/api/v1/admin/audit/public-key', { text: true }).then((k) => setVerifierKey(k.trim()), () => undefined);
  }, [admin]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      {admin && <Verification />}
      {admin && <LatestCheckpoint verifierKey={verifierKey} />}
      {(!admin || verifierKey) && <InclusionProof eventId={eventId} verifierKey={verifierKey} admin={admin} />}
    </section>
  );
}
