import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The p2p benchmark's baseline: one file over bare HTTPS with mutual TLS 1.3 (same CA, same node certificate kind
 * as the peer listener), no CAVE code. Run as a child process: prints its port on stdout.
 * argv: <file> <ca.pem> <cert.pem> <key.pem>
 */
const [file, ca, cert, key] = process.argv.slice(2);
const size = statSync(file).size;
const server = createServer(
  { ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  },
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
