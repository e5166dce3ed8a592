// @ts-check
// Collect → match → fill → undo, across every frame of a tab. Used by the
// service worker; plain functions over chrome.scripting so the flow reads
// top to bottom.
import { match, pathPattern } from './matcher.js';

// The engine's parts, in the order they depend on each other.
export const ENGINE_FILES = ['content/text.js', 'content/fields.js', 'content/write.js', 'content/engine.js'];

// The longest an insert waits for a form to appear.
export const MAX_WAIT_MS = 30_000;

// callEngine runs in the page (isolated world); it must be self-contained.
/** @param {string} op @param {any} arg @returns {any} */
function callEngine(op, arg) {
  const engine = globalThis.sidenoteEngine;
  return engine ? engine[op](arg) : { missing: true };
}

export class InsertionError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {chrome.scripting.InjectionTarget} target @param {string} op @param {any} [arg]
 * @returns {Promise<{frameId: number, documentId: string, result?: any}[]>}
 */
async function run(target, op, arg = null) {
  try {
    // injectImmediately: do not wait for the page to be idle; the EHR is
    // loaded, and the clinician is waiting.
    return await chrome.scripting.executeScript({ target, func: callEngine, args: [op, arg], injectImmediately: true });
  } catch (err) {
    if (/cannot access|permission|not allowed|host/i.test(err.message)) {
      throw new InsertionError('permission_required', 'Sidenote needs permission to write into this site.');
    }
    throw err;
  }
}

// collectFields returns every usable field of every frame we can reach,
// with ids "frameId:stamp", where each frame's document is, and the origins
// of frames the extension may not read (their fields are not among these).
async function collectFields(tabId) {
  let results = await run({ tabId, allFrames: true }, 'collect');
  const missing = results.filter((r) => r.result?.missing).map((r) => r.frameId);
  if (missing.length) {
    await chrome.scripting.executeScript({ target: { tabId, frameIds: missing }, files: ENGINE_FILES, injectImmediately: true });
    const again = await run({ tabId, frameIds: missing }, 'collect');
    results = results.filter((r) => !missing.includes(r.frameId)).concat(again);
  }
  const fields = [];
  const frames = new Map(); // field id → {frameId, documentId, stamp}
  const reached = new Set();
  const embedded = new Set();
  for (const { frameId, documentId, result } of results) {
    if (result?.origin) reached.add(result.origin);
    for (const o of result?.frameOrigins ?? []) embedded.add(o);
    for (const f of result?.fields ?? []) {
      const id = `${frameId}:${f.stamp}`;
      frames.set(id, { frameId, documentId, stamp: f.stamp });
      const { stamp, ...field } = f;
      fields.push({ ...field, id });
    }
  }
  return { fields, frames, unreachable: [...embedded].filter((o) => !reached.has(o)) };
}

function mappingKey(page) {
  return `mapping:${page.origin}${page.pattern}`;
}

async function pageOf(tabId) {
  const tab = await chrome.tabs.get(tabId);
  if (tab.url === undefined) {
    // The URL is hidden from us until the clinician grants the site.
    throw new InsertionError('permission_required', 'Sidenote needs permission to write into this site.');
  }
  if (!/^https?:/.test(tab.url)) {
    throw new InsertionError('unsupported_page', 'Open the EHR page in this window first.');
  }
  const url = new URL(tab.url);
  return { origin: url.origin, pattern: await pathPattern(url.pathname) };
}

// planFor matches a note to the tab's fields. note may be a promise: the
// page is read while the note is still being fetched. mapping (section key
// → field signature, "" to leave a section out) is the clinician's choice;
// it is remembered for this site's page pattern when remember is set.
/**
 * @param {number} tabId @param {any} notePromise
 * @param {{mapping?: Record<string, string>, remember?: boolean}} [options]
 */
export async function planFor(tabId, notePromise, { mapping, remember } = {}) {
  const [page, { fields, frames, unreachable }, note] = await Promise.all([pageOf(tabId), collectFields(tabId), notePromise]);
  const key = mappingKey(page);
  let remembered = /** @type {Record<string, string>} */ ((await chrome.storage.local.get(key))[key] ?? {});
  if (mapping && Object.keys(mapping).length) {
    remembered = { ...remembered, ...mapping };
    if (remember) await chrome.storage.local.set({ [key]: remembered });
  }
  const plan = await match({ template: note.template, sections: note.sections, fields, remembered });
  if (unreachable.length) {
    // The extension may not read a frame of another origin until the
    // clinician grants it (the side panel asks on the next click).
    plan.frame_origins = unreachable;
    for (const u of plan.unmatched) {
      if (u.reason === 'no matching field') u.reason = `no matching field; part of this page comes from ${unreachable.join(', ')}: choose Insert again and allow Sidenote there`;
    }
  }
  return { plan, page, frames, note };
}

// waitForForm resolves when a field appears in any frame of the tab, or
// after timeoutMs; it reports whether one did.
async function waitForForm(tabId, timeoutMs) {
  const documents = (await run({ tabId, allFrames: true }, 'collect')).map((r) => r.documentId);
  const waits = documents.map(async (documentId) => {
    const [{ result }] = await run({ tabId, documentIds: [documentId] }, 'waitForFields', { timeoutMs });
    if (!result?.appeared) throw new Error('no form appeared');
  });
  try {
    await Promise.any(waits);
    return true;
  } catch {
    return false;
  } finally {
    await run({ tabId, allFrames: true }, 'stopWaiting').catch(() => {});
  }
}

const undoKey = (tabId) => `undo:${tabId}`;

// insertNote fills the tab with the note (or a promise of it) and returns
// what went where.
// waitMs > 0 waits that long for a form to appear when the page has no
// field for the note yet.
/**
 * @param {number} tabId @param {any} notePromise
 * @param {{onFilled?: string, mapping?: Record<string, string>, waitMs?: number}} [options]
 * @returns {Promise<Record<string, any>>}
 */
export async function insertNote(tabId, notePromise, { onFilled = 'skip', mapping, waitMs = 0 } = {}) {
  if (!['skip', 'replace', 'append'].includes(onFilled)) {
    throw new InsertionError('bad_request', 'onFilled must be skip, replace or append.');
  }
  if (!Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
    throw new InsertionError('bad_request', `waitMs must be between 0 and ${MAX_WAIT_MS}.`);
  }
  const chosen = mapping && Object.keys(mapping).length > 0;
  let { plan, page, frames, note } = await planFor(tabId, notePromise, { mapping, remember: true });
  if (plan.assignments.length === 0 && waitMs > 0 && await waitForForm(tabId, waitMs)) {
    ({ plan, page, frames, note } = await planFor(tabId, note, { mapping, remember: true }));
  }
  if (plan.low_confidence && !chosen) {
    // A guess is never written unseen: the side panel shows the plan
    // (sidenote.plan) and inserts with the clinician's mapping.
    throw new InsertionError('needs_confirmation', 'Check where each section goes, then insert.');
  }
  return fillPlan(tabId, { plan, page, frames, note }, onFilled);
}

// fillPlan writes a plan (from planFor) into the tab. Fields are found by
// the stamps the engine gave them when it collected them, so a page that
// re-rendered since cannot shift a section into another field.
/**
 * @param {number} tabId @param {{plan: any, page: any, frames: Map<string, any>, note: any}} planned @param {string} onFilled
 * @returns {Promise<Record<string, any>>}
 */
export async function fillPlan(tabId, { plan, page, frames, note }, onFilled) {
  const insertion = crypto.randomUUID();

  // One engine call per document, in parallel.
  const byDocument = new Map();
  for (const a of plan.assignments) {
    const where = frames.get(a.field_id);
    const group = byDocument.get(where.documentId) ?? { items: [], assignments: [] };
    group.items.push({ stamp: where.stamp, text: a.text });
    group.assignments.push(a);
    byDocument.set(where.documentId, group);
  }
  const filled = [];
  const skipped = [];
  const touchedDocuments = [];
  await Promise.all([...byDocument].map(async ([documentId, group]) => {
    let result;
    try {
      [{ result }] = await run({ tabId, documentIds: [documentId] }, 'fill', { insertion, items: group.items, onFilled });
    } catch (err) {
      if (err.code === 'permission_required') throw err;
      // The frame navigated or closed since the fields were collected.
      result = group.items.map(() => ({ status: 'skipped', reason: 'the page changed; try again' }));
    }
    group.assignments.forEach((a, i) => {
      const r = result[i];
      const sections = a.section.split('+');
      if (r.status === 'filled' || r.undoable) {
        if (!touchedDocuments.includes(documentId)) touchedDocuments.push(documentId);
      }
      for (const section of sections) {
        if (r.status === 'filled') filled.push({ section, field: a.field_label });
        else skipped.push({ section, field: a.field_label, reason: r.reason ?? 'the page did not keep the text', ...(r.limit ? { limit: r.limit } : {}) });
      }
    });
  }));
  for (const u of plan.unmatched) skipped.push({ section: u.section, field: '', reason: u.reason });

  const order = new Map(note.sections.map((s, i) => [s.key, i]));
  const byNoteOrder = (a, b) => (order.get(a.section) ?? 99) - (order.get(b.section) ?? 99);
  filled.sort(byNoteOrder);
  skipped.sort(byNoteOrder);

  if (touchedDocuments.length) {
    await chrome.storage.session.set({ [undoKey(tabId)]: { insertion, documentIds: touchedDocuments } });
  }
  return {
    ok: true, filled, skipped, origin: page.origin, note_id: note.id, note_version: note.version,
    single_field: plan.single_field, low_confidence: plan.low_confidence,
    // Nothing on the page can take a note yet: the side panel offers to
    // wait for the form (insert again with waitMs).
    ...(plan.assignments.length === 0 && plan.candidates.length === 0 ? { no_fields: true } : {}),
    ...(plan.frame_origins ? { frame_origins: plan.frame_origins } : {}),
  };
}

// undoLast restores every field the tab's last insertion touched.
export async function undoLast(tabId) {
  const key = undoKey(tabId);
  const record = /** @type {{insertion: string, documentIds: string[]} | undefined} */ ((await chrome.storage.session.get(key))[key]);
  if (!record) throw new InsertionError('nothing_to_undo', 'There is no insertion to undo in this tab.');
  let restored = 0;
  let failed = 0;
  for (const documentId of record.documentIds) {
    try {
      const [{ result }] = await run({ tabId, documentIds: [documentId] }, 'undo', { insertion: record.insertion });
      if (result.missing) {
        failed++; // the engine's snapshots went with an earlier document
        continue;
      }
      restored += result.restored;
      failed += result.failed;
    } catch {
      failed++; // the page navigated away: its fields are gone
    }
  }
  await chrome.storage.session.remove(key);
  return { ok: failed === 0, restored, failed };
}
