// @ts-check
// Insertion receipts. The reply to an insertion does not wait for the
// server: each receipt is queued in chrome.storage.local first, then sent,
// and stays queued until the server has it (or refuses it for good).
import { loadConnection, postInsertion } from './api.js';

const KEY = 'pendingReceipts';

/** @typedef {{id: string, serverUrl: string, noteId: string, receipt: unknown}} Pending */

/** @returns {Promise<Pending[]>} */
async function queued() {
  const stored = await chrome.storage.local.get(KEY);
  return /** @type {Pending[]} */ (stored[KEY] ?? []);
}
let chain = Promise.resolve();

// serial runs storage read-modify-writes one at a time.
function serial(fn) {
  chain = chain.then(fn, fn);
  return chain;
}

export function queueReceipt(serverUrl, noteId, receipt) {
  return serial(async () => {
    const pending = await queued();
    pending.push({ id: crypto.randomUUID(), serverUrl, noteId, receipt });
    await chrome.storage.local.set({ [KEY]: pending });
  });
}

// A refusal that will not change on retry: drop the receipt.
const permanent = (status) => status >= 400 && status < 500 && ![401, 408, 429].includes(status);

// flushReceipts sends the queued receipts of the current server; network
// errors and server failures leave them for the next flush.
export function flushReceipts() {
  return serial(async () => {
    let connection;
    try {
      connection = await loadConnection();
    } catch {
      return;
    }
    const pending = await queued();
    const done = new Set();
    for (const r of pending) {
      if (r.serverUrl !== connection.serverUrl) continue;
      try {
        await postInsertion(connection, r.noteId, r.receipt);
        done.add(r.id);
      } catch (err) {
        if (!permanent(err.status)) break;
        done.add(r.id);
      }
    }
    if (done.size) {
      const now = await queued();
      await chrome.storage.local.set({ [KEY]: now.filter((r) => !done.has(r.id)) });
    }
  });
}
