/**
 * The subscription encoder's worker thread (piece-encoder.ts): encodes each run of events of a batch it is
 * posted and answers the batch with the deflated bytes, whose memory is transferred to the server's thread,
 * not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadPriority } from '../thread-priority.js';
import { encodePiece, scratch, type FromWorkerBatch, type PieceInput, type ToWorkerBatch, type WorkerData } from './piece-encoder.js';

// Encoding yields to the event loop that acknowledges ingestion (thread-priority.ts).
lowerThisThreadPriority();

const ring = (workerData as WorkerData | null)?.ring;
const alloc = scratch();

parentPort?.on('message', (batch: ToWorkerBatch) => {
  const answers: FromWorkerBatch = [];
  const transfer: ArrayBuffer[] = [];
  for (const msg of batch) {
    try {
      // A body is read in place in the ring, which the server's thread reuses only once this is answered.
      const r = msg.ring;
      const input: PieceInput =
        r === undefined || ring === undefined
          ? msg.input
          : {
              ...msg.input,
              timestamps: new Float64Array(ring, r.tsAt, r.count),
              source: { body: new Uint8Array(ring, r.at, r.length), lo: r.lo, utf8Bytes: r.utf8Bytes, ...(r.spansAt >= 0 ? { spans: new Int32Array(ring, r.spansAt, r.spansLength) } : {}) },
            };
      const p = encodePiece(input, alloc);
      // Transfer only memory the piece owns alone (a small Buffer may sit in Node's shared pool).
      const whole = p.data.byteOffset === 0 && p.data.byteLength === p.data.buffer.byteLength;
      const data = whole ? p.data : new Uint8Array(p.data);
      answers.push({ id: msg.id, data, crc: p.crc, length: p.length });
      transfer.push(data.buffer as ArrayBuffer);
    } catch (e) {
      answers.push({ id: msg.id, error: String((e as Error).stack ?? e) });
    }
  }
  // One answer for the batch: one wake-up of the server's event loop.
  parentPort!.postMessage(answers, transfer);
});
