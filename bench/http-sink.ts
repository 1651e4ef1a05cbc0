/**
 * `node dist/bench/http-sink.js`: an HTTP peer for a function target that answers every request with
 * 200 `{}` and keeps nothing, in a process of its own. The subscriptions scenario runs it at the lowest
 * scheduling priority during its throughput rounds: it stands in for a destination on another machine,
 * so that its CPU is not taken from the server it measures (bench/subscriptions-scenario.ts).
 *
 * Prints `{"port":N}` once it listens on 127.0.0.1 (a free port), then, on SIGTERM,
 * `{"requests":N,"bytes":N}` and exits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  requests++;
  req.on('data', (c: Buffer) => (bytes += c.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ requests, bytes })}\n`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
