// @ts-check
// Service worker: answers the side panel (and tests opening extension pages)
// through the connector. See README.md for the automation contract.
import { Msg, serve } from './connector.js';
import { getNote, loadConnection, saveConnection } from './api.js';
import { flushReceipts, queueReceipt } from './receipts.js';
import { insertNote, planFor, undoLast, InsertionError } from './insertion.js';
import { warmUp } from './matcher.js';
import { captureHandlers } from './capture.js';

chrome.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
// The worker wakes for a message; most messages will need the matcher, and
// receipts a previous life could not send go out now.
warmUp();
flushReceipts();

async function readyNote(connection, noteId) {
  if (typeof noteId !== 'string' || noteId === '') throw new InsertionError('bad_request', 'noteId is required.');
  const note = await getNote(connection, noteId);
  if (note.status !== 'ready' && note.status !== 'signed') {
    throw new InsertionError('note_not_ready', 'The note is not ready yet.');
  }
  return note;
}

function tabIdOf(message) {
  if (!Number.isInteger(message.tabId)) throw new InsertionError('bad_request', 'tabId is required.');
  return message.tabId;
}

serve({
  ...captureHandlers,

  async [Msg.Connect]({ serverUrl, token }) {
    await saveConnection(serverUrl, token);
    flushReceipts();
    return { ok: true };
  },

  async [Msg.Plan](message) {
    const tabId = tabIdOf(message);
    const note = readyNote(await loadConnection(), message.noteId);
    note.catch(() => {}); // reported through planFor
    const { plan, page } = await planFor(tabId, note, { mapping: message.mapping });
    const { assignments, ...rest } = plan;
    // The panel already has the note; it needs where things go, not the text.
    return { ok: true, origin: page.origin, path_pattern: page.pattern, ...rest, assignments: assignments.map(({ text, ...a }) => a) };
  },

  async [Msg.Insert](message) {
    const started = performance.now();
    const tabId = tabIdOf(message);
    const connection = await loadConnection();
    // The page is read while the note is on its way.
    const note = readyNote(connection, message.noteId);
    note.catch(() => {}); // reported through insertNote
    const result = await insertNote(tabId, note, { onFilled: message.onFilled ?? 'skip', mapping: message.mapping, waitMs: message.waitMs ?? 0 });
    const filled = performance.now();
    if (result.filled.length) {
      await queueReceipt(connection.serverUrl, result.note_id, {
        origin: result.origin,
        note_version: result.note_version,
        fields: result.filled.map(({ section, field }) => ({ section, field_label: field })),
      });
      flushReceipts(); // after the reply: the clinician does not wait for it
      result.receipt = 'queued';
    }
    // Where the time went, for the benchmark and for support; no content.
    const ms = (a, b) => Math.round((b - a) * 10) / 10;
    result.timings = { insert_ms: ms(started, filled), receipt_ms: ms(filled, performance.now()) };
    return result;
  },

  async [Msg.Undo](message) {
    return undoLast(tabIdOf(message));
  },
});
