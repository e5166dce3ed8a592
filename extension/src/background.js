// Service worker: answers the side panel (and tests opening extension pages)
// through the connector. See README.md for the automation contract.
import { Msg, serve } from './connector.js';
import { getNote, loadConnection, postInsertion, saveConnection } from './api.js';
import { insertNote, planFor, undoLast, InsertionError } from './insertion.js';
import { warmUp } from './matcher.js';

chrome.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
// The worker wakes for a message; most messages will need the matcher.
warmUp();

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
  async [Msg.Connect]({ serverUrl, token }) {
    await saveConnection(serverUrl, token);
    return { ok: true };
  },

  async [Msg.Plan](message) {
    const tabId = tabIdOf(message);
    const note = await readyNote(await loadConnection(), message.noteId);
    const { plan, page } = await planFor(tabId, note, { mapping: message.mapping });
    const { assignments, ...rest } = plan;
    // The panel already has the note; it needs where things go, not the text.
    return { ok: true, origin: page.origin, path_pattern: page.pattern, ...rest, assignments: assignments.map(({ text, ...a }) => a) };
  },

  async [Msg.Insert](message) {
    const tabId = tabIdOf(message);
    const connection = await loadConnection();
    const note = await readyNote(connection, message.noteId);
    const result = await insertNote(tabId, note, { onFilled: message.onFilled ?? 'skip', mapping: message.mapping });
    if (result.filled.length) {
      try {
        await postInsertion(connection, note.id, {
          origin: result.origin,
          note_version: note.version,
          fields: result.filled.map(({ section, field }) => ({ section, field_label: field })),
        });
        result.receipt = 'recorded';
      } catch (err) {
        result.receipt = 'failed';
        result.receipt_error = err.message;
      }
    }
    return result;
  },

  async [Msg.Undo](message) {
    return undoLast(tabIdOf(message));
  },
});
