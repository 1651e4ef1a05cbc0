/**
 * The subscription encoder's worker thread (piece-encoder.ts): encodes each run of events it is posted
 * and answers with the deflated bytes, whose memory is transferred to the server's thread, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { encodePiece, type FromWorker, type ToWorker } from './piece-encoder.js';

parentPort?.on('message', (msg: ToWorker) => {
  let reply: FromWorker;
  try {
    const p = encodePiece(msg.input);
    // Transfer only memory the piece owns alone (a small Buffer may sit in Node's shared pool).
    const whole = p.data.byteOffset === 0 && p.data.byteLength === p.data.buffer.byteLength;
    const data = whole ? p.data : new Uint8Array(p.data);
    reply = { id: msg.id, data, crc: p.crc, length: p.length };
    parentPort!.postMessage(reply, [data.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { id: msg.id, error: String((e as Error).stack ?? e) };
    parentPort!.postMessage(reply);
  }
});
