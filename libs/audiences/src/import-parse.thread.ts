import { parentPort, workerData } from 'node:worker_threads';
import {
  ImportBatcher,
  ImportFileError,
  type BatcherOptions,
  type FromParseThread,
  type ToParseThread,
} from './import-batcher';

/**
 * The parse thread of one import run (started by ImportRunner): CSV parsing and row validation,
 * the CPU-heavy half of an import, off the worker's event loop and inside the thread's own,
 * capped heap. Chunks arrive in order; each is answered by the batches it completed, then
 * 'consumed'; 'end' by the last batch, then 'done'. The first failure ends the conversation.
 */
const port = parentPort;
if (!port) {
  throw new Error('import-parse.thread runs as a worker thread');
}
const send = (m: FromParseThread, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(m, transfer);
const batcher = new ImportBatcher(workerData as BatcherOptions, (batch) =>
  send(
    { type: 'batch', batch },
    batch.parts.map((p) => p.text.buffer as ArrayBuffer), // moved, not copied (see cut)
  ),
);
let work = Promise.resolve();
let failed = false;
port.on('message', (m: ToParseThread) => {
  work = work.then(async () => {
    if (failed) {
      return;
    }
    try {
      if (m.type === 'chunk') {
        await batcher.write(m.bytes);
        send({ type: 'consumed' });
      } else {
        await batcher.end();
        send({ type: 'done' });
      }
    } catch (e) {
      failed = true;
      send({
        type: 'failed',
        fileError: e instanceof ImportFileError,
        message: e instanceof Error ? e.message : String(e),
      });
    }
  });
});
